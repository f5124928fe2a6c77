package io.ingressgateway.edge;

import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.gateway.route.RequestPath;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Refuses, on the public listeners and before any route lookup or upstream, the requests the gateway must not route,
 * and makes the path it forwards the path it matches. In the order checked:
 * <ul>
 *   <li>{@code TRACE} and {@code CONNECT}: 405, as nginx answers them (TRACE reflects the request, cookies included,
 *       into a page; CONNECT would open a tunnel). A method that is not a token of upper-case letters, {@code _} and
 *       {@code -}: 400, as nginx. Other methods, unknown ones included ({@code PROPFIND}, {@code PURGE}), are
 *       proxied.</li>
 *   <li>Host: more than one Host header, a Host that is not a host name or address with an optional port
 *       ({@link RequestHost#isValid}), or none on HTTP/1.1 (HTTP/1.0 may go without: it is served by the rules
 *       without a host and the default backend): 400. An absolute request target ({@code GET http://a.test/}) names
 *       the host, as RFC 9112 and nginx have it: its authority replaces the Host header, so the rule chosen, the
 *       upstream's Host and {@code X-Forwarded-Host} all agree; a target of another scheme is 400.</li>
 *   <li>The path, as {@link RequestPath#forwardable} has it: ambiguous forms (encoded slash or backslash, raw
 *       backslash, NUL, dot segments spelled with escapes or parameters, {@code ..} above the root) are 400; plain dot
 *       segments and repeated slashes are resolved in the path sent upstream. The query is never touched.</li>
 * </ul>
 * A refusal closes an HTTP/1.x connection, as nginx does after a 400: what the client sends next cannot be trusted to
 * start a request. Ordinary requests cost one pass over the Host header and the path, and no allocation here.
 */
public final class RequestSanity {

    /** Why a request was refused; one counter each. */
    public enum Refusal {
        INVALID_METHOD("invalid-method"),
        METHOD_NOT_ALLOWED("method-not-allowed"),
        INVALID_HOST("invalid-host"),
        MISSING_HOST("missing-host"),
        INVALID_PATH("invalid-path");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        /** The value of the refusal counter's {@code reason} tag. */
        public String tag() {
            return tag;
        }
    }

    private final Map<Refusal, AtomicLong> refused = new EnumMap<>(Refusal.class);

    public RequestSanity() {
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, new AtomicLong());
        }
    }

    public HttpHandler decorate(HttpHandler delegate) {
        return (request, response) -> handle(delegate, request, response);
    }

    private Mono<Void> handle(HttpHandler delegate, ServerHttpRequest request, ServerHttpResponse response) {
        HttpMethod method = request.getMethod();
        if (HttpMethod.TRACE.equals(method) || "CONNECT".equals(method.name())) {
            return refuse(request, response, Refusal.METHOD_NOT_ALLOWED, HttpStatus.METHOD_NOT_ALLOWED,
                    "This method is not allowed.");
        }
        if (!isMethodToken(method.name())) {
            return refuse(request, response, Refusal.INVALID_METHOD, HttpStatus.BAD_REQUEST,
                    "The request method is not valid.");
        }

        HttpServerRequest nativeRequest = nativeRequest(request);
        List<String> hosts = request.getHeaders().get(HttpHeaders.HOST);
        String host = hosts == null || hosts.isEmpty() ? null : hosts.get(0);
        if (hosts != null && hosts.size() > 1) {
            return refuse(request, response, Refusal.INVALID_HOST, HttpStatus.BAD_REQUEST,
                    "The request has more than one Host header.");
        }
        if (host != null && !RequestHost.isValid(host)) {
            return refuse(request, response, Refusal.INVALID_HOST, HttpStatus.BAD_REQUEST,
                    "The Host header is not a valid host name.");
        }
        String target = nativeRequest == null ? null : nativeRequest.uri();
        String targetHost = null;
        if (target != null && !target.isEmpty() && target.charAt(0) != '/') {
            targetHost = absoluteFormHost(target);
            if (targetHost == null || !RequestHost.isValid(targetHost)) {
                return refuse(request, response, Refusal.INVALID_HOST, HttpStatus.BAD_REQUEST,
                        "The request target is not a valid http or https URL.");
            }
        }
        if (host == null && targetHost == null && !isHttp10(nativeRequest)) {
            return refuse(request, response, Refusal.MISSING_HOST, HttpStatus.BAD_REQUEST,
                    "The request has no Host header.");
        }

        String rawPath = request.getPath().value();
        String forwardedPath = RequestPath.forwardable(rawPath);
        if (forwardedPath == null) {
            return refuse(request, response, Refusal.INVALID_PATH, HttpStatus.BAD_REQUEST,
                    "The request path is ambiguous (an encoded slash or backslash, a NUL, or a disguised dot segment).");
        }
        boolean newHost = targetHost != null && !targetHost.equals(host);
        if (!newHost && forwardedPath == rawPath) { // the same instance: nothing to change
            return delegate.handle(request, response);
        }
        ServerHttpRequest.Builder mutated = request.mutate();
        if (newHost) {
            String authority = targetHost;
            URI uri = request.getURI();
            mutated.uri(URI.create(uri.getScheme() + "://" + authority + uri.getRawPath()
                            + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                    .headers(headers -> headers.set(HttpHeaders.HOST, authority));
        }
        if (forwardedPath != rawPath) {
            mutated.path(forwardedPath);
        }
        return delegate.handle(mutated.build(), response);
    }

    private Mono<Void> refuse(ServerHttpRequest request, ServerHttpResponse response, Refusal refusal,
                              HttpStatus status, String message) {
        refused.get(refusal).incrementAndGet();
        if (status == HttpStatus.BAD_REQUEST) {
            response.getHeaders().set(HttpHeaders.CONNECTION, "close");
        }
        return GatewayErrorResponses.write(request, response, status, message);
    }

    /** nginx's method token: upper-case letters, {@code _} and {@code -}. */
    static boolean isMethodToken(String method) {
        if (method.isEmpty()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if ((c < 'A' || c > 'Z') && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /**
     * The authority of an absolute-form target ({@code http://authority/path}, scheme in any case), as received; null
     * when the target is not http or https (including an authority-form or {@code *} target).
     */
    static String absoluteFormHost(String target) {
        int afterScheme;
        if (target.regionMatches(true, 0, "http://", 0, 7)) {
            afterScheme = 7;
        } else if (target.regionMatches(true, 0, "https://", 0, 8)) {
            afterScheme = 8;
        } else {
            return null;
        }
        int end = afterScheme;
        while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
            end++;
        }
        return target.substring(afterScheme, end);
    }

    private static boolean isHttp10(HttpServerRequest request) {
        return request != null && HttpVersion.HTTP_1_0.equals(request.version());
    }

    private static HttpServerRequest nativeRequest(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        return nativeRequest instanceof HttpServerRequest reactorRequest ? reactorRequest : null;
    }

    /** Requests refused for this reason since start. */
    public long refused(Refusal refusal) {
        return refused.get(refusal).get();
    }
}
