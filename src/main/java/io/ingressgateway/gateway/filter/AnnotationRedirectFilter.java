package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.HostRedirectPolicy;
import io.ingressgateway.model.policy.RedirectPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Answers every request of a route whose Ingress sets {@code permanent-redirect} or {@code temporal-redirect} with
 * the redirect ({@link RedirectPolicy}): its status and its URL as {@code Location}, nothing appended, the upstream
 * never contacted; and the {@code from-to-www-redirect} routes of a counterpart host ({@link HostRedirectPolicy}). A
 * route without either costs two lookups in its (usually empty) policies.
 *
 * <p>Runs before the HTTP to HTTPS redirect: in ingress-nginx the annotation's {@code return} ends the request in
 * nginx's rewrite phase, before its Lua code could send the HTTPS redirect.
 */
@Component
public class AnnotationRedirectFilter implements GlobalFilter, Ordered {

    /** Just before {@code HttpsRedirectFilter} (highest precedence + 100). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 99;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : ServedRoute.of(exchange, route);
        if (served == null) {
            return chain.filter(exchange);
        }
        RedirectPolicy redirect = served.policy(RedirectPolicy.class);
        if (redirect == null) {
            HostRedirectPolicy hostRedirect = served.policy(HostRedirectPolicy.class);
            return hostRedirect == null ? chain.filter(exchange) : redirectToHost(exchange, hostRedirect);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(redirect.status()));
        response.getHeaders().set(HttpHeaders.LOCATION, redirect.location());
        return response.setComplete();
    }

    /**
     * {@code from-to-www-redirect}: 308 to the same scheme, port, path and query on the rule host, as ingress-nginx's
     * redirect server answers.
     */
    private static Mono<Void> redirectToHost(ServerWebExchange exchange, HostRedirectPolicy policy) {
        ServerHttpRequest request = exchange.getRequest();
        StringBuilder location = new StringBuilder(request.getSslInfo() != null ? "https://" : "http://")
                .append(policy.targetHost());
        String hostHeader = request.getHeaders().getFirst(HttpHeaders.HOST);
        int portColon = hostHeader == null ? -1 : hostHeader.lastIndexOf(':');
        if (hostHeader != null && portColon > hostHeader.lastIndexOf(']')) {
            location.append(hostHeader, portColon, hostHeader.length());
        }
        String path = request.getURI().getRawPath();
        location.append(path == null || path.isEmpty() ? "/" : path);
        String query = request.getURI().getRawQuery();
        if (query != null) {
            location.append('?').append(query);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.PERMANENT_REDIRECT);
        response.getHeaders().set(HttpHeaders.LOCATION, location.toString());
        return response.setComplete();
    }
}
