package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * An Ingress's {@code default-backend} annotation for requests whose Service has no ready endpoint: as ingress-nginx
 * does, they go to the annotation's Service (when it has endpoints of its own) with their path unchanged and the
 * error headers of a 503 ({@link ErrorBackendHeaders}), and the client gets that Service's answer as it is, instead of
 * the gateway's 503. Used by {@link UpstreamRoutingFilter} when it resolves a route's upstream.
 */
final class DefaultBackendFallback {

    private DefaultBackendFallback() {
    }

    /**
     * The upstream a route's requests go to when its own has no endpoint: the default backend the route's Ingress
     * names, if that one has endpoints; otherwise null (the route answers 503 as without the annotation).
     */
    static Upstream replacement(ServedRoute served, Upstream own, Function<UpstreamKey, Upstream> upstreams) {
        if (own != null && !own.endpoints().isEmpty()) {
            return null;
        }
        ErrorPagePolicy policy = served.policy(ErrorPagePolicy.class);
        UpstreamKey key = UpstreamKey.defaultBackendOf(policy);
        Upstream fallback = key == null ? null : upstreams.apply(key);
        return fallback == null || fallback.endpoints().isEmpty() ? null : fallback;
    }

    /** The exchange with the headers ingress-nginx adds when it sends a request to the default backend instead. */
    static ServerWebExchange mark(ServerWebExchange exchange, ServedRoute served) {
        ServerHttpRequest request = exchange.getRequest();
        String accept = request.getHeaders().getFirst(HttpHeaders.ACCEPT);
        ServerHttpRequest marked = request.mutate().headers(headers -> ErrorBackendHeaders.set(headers,
                HttpStatus.SERVICE_UNAVAILABLE.value(), served, accept, null, exchange)).build();
        return exchange.mutate().request(marked).build();
    }
}
