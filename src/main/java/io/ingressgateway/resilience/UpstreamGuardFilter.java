package io.ingressgateway.resilience;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.filter.GatewayRetryAfter;
import io.ingressgateway.gateway.route.CanarySelection;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.CanaryPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Admits a request to its upstream or answers 503 at once: the circuit must let it through and the bulkhead must
 * have a free place; nothing ever waits. Wraps everything up to the end of the response body (it runs before the
 * filter that writes the body), so the bulkhead counts a request until it is over, and the places it holds are given
 * back on completion, on error and on cancellation (a client that disconnects).
 *
 * <p>WebSocket upgrades are let through by an open circuit's judgment only: a long-lived session would otherwise hold
 * a bulkhead place for hours and be recorded as one very slow call.
 */
public class UpstreamGuardFilter implements GlobalFilter, Ordered {

    public static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("upstream guard");
    private static final ServedRoute.Slot CANARY_SLOT = ServedRoute.Slot.allocate("canary upstream guard");

    private final UpstreamGuards guards;
    private final long bulkheadRetryAfterSeconds;
    /** Each route's guard (null: the route has none), for the guards' current generation. */
    private final PerRouteCache<UpstreamGuard> byRoute = new PerRouteCache<>(SLOT, this::guardNow);
    /** Each route's canary guard, for the requests its canary takes ({@link CanarySelection}). */
    private final PerRouteCache<UpstreamGuard> canaryByRoute = new PerRouteCache<>(CANARY_SLOT, this::canaryGuardNow);

    public UpstreamGuardFilter(UpstreamGuards guards) {
        this.guards = guards;
        this.bulkheadRetryAfterSeconds = Math.max(1, (guards.defaults().retryAfter().toMillis() + 999) / 1000);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        UpstreamGuard guard = route == null ? null : guardOf(exchange, route);
        if (guard == null) {
            return chain.filter(exchange);
        }
        if (!guard.tryAcquireCircuit()) {
            return reject(exchange, guard.retryAfterOpenCircuitSeconds(),
                    "The upstream service is failing; the gateway is not sending it requests for now.");
        }
        boolean webSocket = "websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade());
        if (!webSocket && !guard.tryEnterBulkhead()) {
            guard.releaseCircuit();
            return reject(exchange, bulkheadRetryAfterSeconds,
                    "The upstream service has too many requests in progress.");
        }
        GuardedCall call = new GuardedCall(guard, !webSocket);
        exchange.getAttributes().put(GuardedCall.ATTR, call);
        return chain.filter(exchange)
                .doOnError(error -> {
                    // A read timeout while streaming the body: the response has begun, so the client's connection
                    // is cut; still a timeout worth counting.
                    if (call.responseStarted() && UpstreamFailure.of(error) == UpstreamFailure.READ_TIMEOUT) {
                        guard.timedOut(UpstreamGuard.TimeoutKind.READ);
                    }
                })
                .doFinally(signal -> call.finish());
    }

    /** The route's guard, from the cache when it was resolved for this route object in this generation. */
    UpstreamGuard guardOf(ServerWebExchange exchange, Route route) {
        PerRouteCache<UpstreamGuard> cache = CanarySelection.of(exchange) != null ? canaryByRoute : byRoute;
        return cache.get(exchange, route, guards.generationToken());
    }

    /** As {@link #guardOf(ServerWebExchange, Route)}, for a served route. */
    UpstreamGuard guardOf(ServedRoute served) {
        return byRoute.get(served, guards.generationToken());
    }

    /** The guard of the canary Ingress's upstream, for a request its route's canary takes. */
    private UpstreamGuard canaryGuardNow(Route route, ServedRoute served) {
        CanaryPolicy canary = served == null ? null : served.policy(CanaryPolicy.class);
        return canary == null ? null : guards.guard(new GuardKey(CanarySelection.ingress(canary),
                CanarySelection.upstreamKey(canary)));
    }

    /** The guard of a route made from the route model; a route configured otherwise has none. */
    private UpstreamGuard guardNow(Route route, ServedRoute served) {
        GuardKey key = served == null ? null : GuardKey.of(served);
        return key == null ? null : guards.guard(key);
    }

    int cachedRoutes() {
        return byRoute.size();
    }

    static Mono<Void> reject(ServerWebExchange exchange, long retryAfterSeconds, String message) {
        if (!exchange.getResponse().isCommitted()) {
            GatewayRetryAfter.set(exchange.getResponse(), retryAfterSeconds);
        }
        return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, message);
    }
}
