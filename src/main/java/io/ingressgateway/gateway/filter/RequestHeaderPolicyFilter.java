package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.HeaderPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The request half of a route's {@link HeaderPolicy} ({@code request-headers}): the request the upstream receives
 * has the headers set, added and removed as the Ingress says, after every access check (which see the client's
 * headers as sent). The gateway's own forwarding headers ({@code X-Forwarded-*}, {@code X-Real-IP},
 * {@code Forwarded}) are written later and win over a line naming one of them; an {@code X-Request-ID} a line sets is
 * taken as the client's would be.
 */
@Component
public class RequestHeaderPolicyFilter implements GlobalFilter, Ordered {

    /** After authentication (which may add the identity headers a line could then override or remove). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 160;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HeaderPolicy policy = ServedRoute.policyOf(exchange, HeaderPolicy.class);
        if (policy == null || policy.request().isEmpty()) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate()
                .request(request -> request.headers(headers -> HeaderOperations.apply(policy.request(), headers)))
                .build());
    }
}
