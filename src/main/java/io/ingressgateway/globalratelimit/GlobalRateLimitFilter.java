package io.ingressgateway.globalratelimit;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.config.IngressGatewayProperties.GlobalRateLimit.FailureMode;
import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.client.RequestKeys;
import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.globalratelimit.SlidingWindowScript.Admission;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

/**
 * Enforces a route's {@link GlobalRateLimitPolicy} (ingress-nginx's {@code global-rate-limit}) against the counters in
 * Redis, in nginx's preaccess phase: after CORS pre-flights and local rate limits, before allow lists and
 * authentication. A request over its limit is answered with the configured status (429 as ingress-nginx's
 * {@code global-rate-limit-status-code}) and {@code Retry-After}, and never reaches the upstream. Clients in the
 * ignored CIDRs are not counted at all, as in ingress-nginx.
 *
 * <p>When Redis cannot answer (not connected, too slow, an error), the failure mode decides: open (the default, and
 * ingress-nginx's only behaviour) serves the request, closed answers 503. Either is counted.
 *
 * <p>Redis answers on Lettuce's threads; the request carries on from its own event loop, as every other filter
 * expects.
 */
public class GlobalRateLimitFilter implements GlobalFilter, Ordered {

    /** nginx's preaccess phase: after CORS (+110) and local rate limits (+120), before allow lists (+130). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 125;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("global rate limit");
    /** Routes change by being replaced: one version for the cache's life. */
    private static final Object VERSION = new Object();

    private final RedisCounters counters;
    private final GlobalRateLimitMetrics metrics;
    private final FailureMode failureMode;
    private final HttpStatus limitedStatus;
    private final String keyPrefix;
    private final PerRouteCache<RouteLimit> limits;
    private final Map<EventLoop, Scheduler> loops = new ConcurrentHashMap<>();

    public GlobalRateLimitFilter(RedisCounters counters, GlobalRateLimitMetrics metrics,
                                 IngressGatewayProperties.GlobalRateLimit settings) {
        this.counters = counters;
        this.metrics = metrics;
        this.failureMode = settings.failureMode();
        this.limitedStatus = HttpStatus.valueOf(settings.statusCode());
        this.keyPrefix = settings.keyPrefix();
        this.limits = new PerRouteCache<>(SLOT, (route, served) -> {
            GlobalRateLimitPolicy policy = served == null ? null : served.policy(GlobalRateLimitPolicy.class);
            return policy == null || served.rule() == null ? null
                    : RouteLimit.of(policy, served.rule().ingress(), keyPrefix);
        });
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        if (route == null) {
            return chain.filter(exchange);
        }
        ServedRoute served = ServedRoute.of(exchange, route);
        RouteLimit limit = served == null ? null : limits.get(served, VERSION);
        if (limit == null) {
            return chain.filter(exchange);
        }
        InetAddress client = ClientAddress.of(exchange);
        if (limit.exempts(client)) {
            metrics.exempt();
            return chain.filter(exchange);
        }
        String keyValue = RequestKeys.evaluate(limit.policy().key(), exchange);
        if (keyValue.isEmpty()) {
            // As ingress-nginx: a key that evaluates to nothing counts by the client address.
            keyValue = ClientAddress.text(exchange);
        }
        Mono<Verdict> verdict = counters.admit(limit.counterKey(keyValue), limit.policy().limit(), limit.windowMillis())
                .map(Verdict::of)
                .onErrorResume(error -> Mono.just(Verdict.failed(error)));
        return onRequestLoop(exchange, verdict).flatMap(decided -> act(decided, exchange, chain));
    }

    private Mono<Void> act(Verdict verdict, ServerWebExchange exchange, GatewayFilterChain chain) {
        if (verdict.failure() != null) {
            metrics.storeFailed(verdict.failure(), counters.connected(), failureMode);
            if (failureMode == FailureMode.CLOSED) {
                return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                        "The rate limit of this service cannot be checked right now.");
            }
            return chain.filter(exchange);
        }
        if (verdict.admission().admitted()) {
            metrics.admitted();
            return chain.filter(exchange);
        }
        metrics.limited();
        long seconds = Math.max(1, (verdict.admission().retryAfterMillis() + 999) / 1000);
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return GatewayErrorResponses.write(exchange, limitedStatus, "Too many requests; retry later.");
    }

    /** The verdict delivered on the request's event loop (when it has one), where the chain carries on. */
    private Mono<Verdict> onRequestLoop(ServerWebExchange exchange, Mono<Verdict> verdict) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
        Channel channel = nativeRequest instanceof Connection connection ? connection.channel() : null;
        if (channel == null) {
            return verdict;
        }
        Scheduler loop = loops.computeIfAbsent(channel.eventLoop(), Schedulers::fromExecutor);
        return verdict.publishOn(loop);
    }

    /** What Redis said, or why it could not. */
    private record Verdict(Admission admission, Throwable failure) {

        static Verdict of(Admission admission) {
            return new Verdict(admission, null);
        }

        static Verdict failed(Throwable failure) {
            return new Verdict(null, failure);
        }
    }
}
