package io.ingressgateway.gateway.lookup;

import org.springframework.core.Ordered;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.WebHandler;
import reactor.core.publisher.Mono;

/**
 * Routes CORS pre-flight requests ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) like
 * any other request, as ingress-nginx does: without {@code enable-cors} on the Ingress, the application behind it
 * answers them (many answer CORS themselves). WebFlux's dispatcher never hands a pre-flight request to a handler: it
 * only asks the handler mappings for their CORS decision and, when none refuses, answers an empty 200 itself. So this
 * filter, the last before the dispatcher, sends a pre-flight request to the handler of the gateway's route mapping
 * directly; a request that mapping has no handler for (the management port) goes on to the dispatcher as before.
 */
public class PreflightRoutingWebFilter implements WebFilter, Ordered {

    private final IngressRouteHandlerMapping mapping;

    public PreflightRoutingWebFilter(IngressRouteHandlerMapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!CorsUtils.isPreFlightRequest(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        return mapping.handlerWithoutCors(exchange)
                .flatMap(handler -> handler instanceof WebHandler routes
                        ? routes.handle(exchange).thenReturn(Boolean.TRUE) : Mono.empty())
                .switchIfEmpty(Mono.defer(() -> chain.filter(exchange).thenReturn(Boolean.TRUE)))
                .then();
    }
}
