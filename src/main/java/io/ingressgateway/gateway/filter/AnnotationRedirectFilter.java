package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.RedirectPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Answers every request of a route whose Ingress sets {@code permanent-redirect} or {@code temporal-redirect} with
 * the redirect ({@link RedirectPolicy}): its status and its URL as {@code Location}, nothing appended, the upstream
 * never contacted. A route without the policy costs one lookup in its (usually empty) policies.
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
        RedirectPolicy redirect = served == null ? null : served.policy(RedirectPolicy.class);
        if (redirect == null) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(redirect.status()));
        response.getHeaders().set(HttpHeaders.LOCATION, redirect.location());
        return response.setComplete();
    }
}
