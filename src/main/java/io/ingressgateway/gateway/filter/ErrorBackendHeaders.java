package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * The headers ingress-nginx sends its default backend, telling it which error to render and for what: the status,
 * the client's {@code Accept}, and the Ingress and Service of the route that failed (docs/user-guide/custom-errors.md).
 */
final class ErrorBackendHeaders {

    static final String X_CODE = "X-Code";
    static final String X_FORMAT = "X-Format";
    static final String X_ORIGINAL_URI = "X-Original-URI";
    static final String X_NAMESPACE = "X-Namespace";
    static final String X_INGRESS_NAME = "X-Ingress-Name";
    static final String X_SERVICE_NAME = "X-Service-Name";
    static final String X_SERVICE_PORT = "X-Service-Port";

    private ErrorBackendHeaders() {
    }

    /**
     * Sets the headers on {@code headers} (replacing any the client sent under these names). {@code originalUri} is
     * left out when null, as ingress-nginx leaves it out when a request without endpoints is sent to the default
     * backend; an absent {@code Accept} sends no {@code X-Format}, as nginx sends no header with an empty value.
     */
    static void set(HttpHeaders headers, int code, ServedRoute served, String accept, String originalUri,
                    ServerWebExchange exchange) {
        headers.set(X_CODE, Integer.toString(code));
        setOrRemove(headers, X_FORMAT, accept);
        setOrRemove(headers, X_ORIGINAL_URI, originalUri);
        IngressRef ingress = served.rule() == null ? null : served.rule().ingress();
        UpstreamKey service = served.upstreamKey();
        setOrRemove(headers, X_NAMESPACE, ingress == null ? null : ingress.namespace());
        setOrRemove(headers, X_INGRESS_NAME, ingress == null ? null : ingress.name());
        setOrRemove(headers, X_SERVICE_NAME, service == null ? null : service.service());
        setOrRemove(headers, X_SERVICE_PORT, service == null ? null : service.port());
        headers.set(ProxyHeadersFilter.X_REQUEST_ID, ProxyHeadersFilter.requestId(exchange));
    }

    private static void setOrRemove(HttpHeaders headers, String name, String value) {
        if (value == null || value.isEmpty()) {
            headers.remove(name);
        } else {
            headers.set(name, value);
        }
    }
}
