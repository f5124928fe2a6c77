package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.CustomHeadersPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code custom-headers}: sets the headers of the route's ConfigMap ({@link CustomHeadersPolicy}) on its responses,
 * replacing any the upstream sent under the same name, as ingress-nginx's {@code more_set_headers} does. Values are
 * sent as written. A route whose ConfigMap could not be used is answered 503, as ingress-nginx denies it.
 */
@Component
public class CustomHeadersFilter implements GlobalFilter, Ordered {

    /** Just after the request/response header policies' slot (highest precedence + 160). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 161;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        CustomHeadersPolicy policy = ServedRoute.policyOf(exchange, CustomHeadersPolicy.class);
        if (policy == null) {
            return chain.filter(exchange);
        }
        if (policy.problem() != null) {
            return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "Service Temporarily Unavailable");
        }
        ServerHttpResponse response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            policy.headers().forEach(headers::set);
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
