package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.route.CanarySelection;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.CanaryPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Sends a request of a route with a canary ({@link CanaryPolicy}) to the canary or leaves it on the main backend
 * ({@link CanaryDecision}), recording the choice for the filters after it ({@link CanarySelection}). Runs after the
 * redirects (a redirected request reaches no backend) and before the upstream guard, which must admit a canary
 * request to the canary Ingress's guard. A route without canary costs one lookup in its policies.
 */
@Component
public class CanaryFilter implements GlobalFilter, Ordered {

    /** Just before {@link PathRewriteFilter}, so well before the upstream guard. */
    public static final int ORDER = PathRewriteFilter.ORDER - 1;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("canary decision");
    /** A route's policies never change, so its decision holds for as long as the route object. */
    private static final Object FOREVER = new Object();

    private final PerRouteCache<CanaryDecision> decisions = new PerRouteCache<>(SLOT, (route, served) -> {
        CanaryPolicy canary = served == null ? null : served.policy(CanaryPolicy.class);
        return canary == null ? null : new CanaryDecision(canary.rules());
    });

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : ServedRoute.of(exchange, route);
        CanaryPolicy canary = served == null ? null : served.policy(CanaryPolicy.class);
        if (canary != null && decisions.get(served, FOREVER).toCanary(exchange.getRequest())) {
            CanarySelection.choose(exchange, canary);
        }
        return chain.filter(exchange);
    }
}
