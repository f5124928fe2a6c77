package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.HeaderPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The response half of a route's {@link HeaderPolicy} ({@code response-headers}, {@code security-headers},
 * {@code content-security-policy}): applied to the response just before it is sent, so to the upstream's answer and
 * to every answer the gateway writes itself for the route once it is chosen (a CORS pre-flight, a rate limit's 503,
 * an allow list's 403, an authentication's 401, a failed upstream's 502/503/504), as nginx's header directives in a
 * location apply to every response of it. The HTTPS redirect and a refused request body, decided before, are not
 * the route's answers and do not get them.
 */
@Component
public class ResponseHeaderPolicyFilter implements GlobalFilter, Ordered {

    /** After the HTTPS redirect, before CORS and every access check whose answers should carry the headers. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 105;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HeaderPolicy policy = ServedRoute.policyOf(exchange, HeaderPolicy.class);
        if (policy != null && !policy.response().isEmpty()) {
            ServerHttpResponse response = exchange.getResponse();
            response.beforeCommit(() -> {
                HeaderOperations.apply(policy.response(), response.getHeaders());
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }
}
