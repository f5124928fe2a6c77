package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.UpstreamVhostPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends the upstream the {@code Host} an Ingress's {@code upstream-vhost} annotation names ({@link UpstreamVhostPolicy})
 * instead of the client's. The routing filter sends the request's own Host upstream, so the request is rewritten
 * here, after the route was chosen by the client's Host; the client's Host is kept in {@link #CLIENT_HOST_ATTR} for
 * {@code X-Forwarded-Host}, which in ingress-nginx still names the host the client asked for.
 */
@Component
public class UpstreamVhostFilter implements GlobalFilter, Ordered {

    /** The client's Host header when this filter replaced it. */
    public static final String CLIENT_HOST_ATTR = UpstreamVhostFilter.class.getName() + ".clientHost";

    /** After the upstream is chosen, which preserves the Host header; well before the request is sent. */
    public static final int ORDER = UpstreamRoutingFilter.ORDER + 1;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        UpstreamVhostPolicy vhost = ServedRoute.policyOf(exchange, UpstreamVhostPolicy.class);
        if (vhost == null) {
            return chain.filter(exchange);
        }
        String clientHost = exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST);
        if (clientHost != null) {
            exchange.getAttributes().put(CLIENT_HOST_ATTR, clientHost);
        }
        ServerWebExchange rewritten = exchange.mutate()
                .request(request -> request.headers(headers -> headers.set(HttpHeaders.HOST, vhost.host())))
                .build();
        // The routing filter sends the request's Host only when asked to preserve it; an HTTP/1.0 request without
        // Host had no such request, and now has a Host to send.
        rewritten.getAttributes().put(
                PRESERVE_HOST_HEADER_ATTRIBUTE, true);
        return chain.filter(rewritten);
    }
}
