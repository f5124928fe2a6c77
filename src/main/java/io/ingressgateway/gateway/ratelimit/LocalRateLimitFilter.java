package io.ingressgateway.gateway.ratelimit;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IpAddresses;
import io.ingressgateway.model.policy.RateLimitPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Enforces an Ingress's per-replica rate limits ({@link RateLimitPolicy}: {@code limit-connections},
 * {@code limit-rps}, {@code limit-rpm}, in that order, as ingress-nginx applies them, and the pace of responses,
 * {@code limit-rate}, {@link ResponsePacing}) per client address, as
 * {@link ClientAddress} sees it, unless the address is exempt ({@code limit-whitelist}). A refused request never
 * reaches the upstream: it is answered with the configured status (ingress-nginx's {@code limit-req-status-code} and
 * {@code limit-conn-status-code}, 503 by default), and a refused request rate says in {@code Retry-After} when the
 * client's next request would be admitted. A refused concurrent request gets no {@code Retry-After}: when one of the
 * client's requests in progress ends cannot be known.
 *
 * <p>Each refusal counts in {@value #REJECTED} per Ingress and limit ({@code requests} or {@code connections}).
 */
public class LocalRateLimitFilter implements GlobalFilter, Ordered {

    /**
     * nginx's preaccess phase: after the rewrites and redirects (HTTPS redirect HIGHEST+100) and CORS pre-flights
     * (HIGHEST+110), before the access phase (address lists HIGHEST+130, authentication).
     */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 120;

    /** Counter of requests refused by a local rate limit; tags: namespace, ingress, limit. */
    public static final String REJECTED = "ingress.gateway.rate.limited.requests";

    static final String TOO_MANY_REQUESTS = "Too many requests from this client address; retry later.";
    static final String TOO_MANY_IN_PROGRESS = "Too many requests from this client address are in progress.";

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("local rate limits");
    /** A route's policies never change, so its limits hold for as long as the route object. */
    private static final Object FOREVER = new Object();

    private final RequestRateLimiter requests;
    private final ConcurrentRequestLimiter connections;
    private final HttpStatus requestStatus;
    private final HttpStatus connectionStatus;
    private final MeterRegistry registry;

    private final PerRouteCache<RouteLimits> limits = new PerRouteCache<>(SLOT, (route, served) -> {
        RateLimitPolicy policy = served == null ? null : served.policy(RateLimitPolicy.class);
        return policy == null ? null : RouteLimits.of(served.rule().ingress(), policy);
    });

    public LocalRateLimitFilter(RequestRateLimiter requests, ConcurrentRequestLimiter connections,
                                HttpStatus requestStatus, HttpStatus connectionStatus, MeterRegistry registry) {
        this.requests = requests;
        this.connections = connections;
        this.requestStatus = requestStatus;
        this.connectionStatus = connectionStatus;
        this.registry = registry;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : ServedRoute.of(exchange, route);
        if (served == null || served.policy(RateLimitPolicy.class) == null) {
            return chain.filter(exchange);
        }
        RouteLimits routeLimits = limits.get(served, FOREVER);
        if (routeLimits.responseBytesPerSecond() > 0) {
            // Every client's responses, exempt or not: nginx's limit_rate is not keyed on the client.
            exchange = ResponsePacing.paced(exchange, routeLimits.responseBytesPerSecond(),
                    routeLimits.responseFreeBytes());
        }
        InetAddress client = ClientAddress.of(exchange);
        if (client == null || routeLimits.exempts(client)
                || (routeLimits.zone() == null && routeLimits.connections() == 0)) {
            return chain.filter(exchange);
        }
        ConcurrentRequestLimiter.ClientKey inProgress = null;
        if (routeLimits.connections() > 0) {
            inProgress = new ConcurrentRequestLimiter.ClientKey(routeLimits.ingress(), client);
            if (!connections.tryAcquire(inProgress, routeLimits.connections())) {
                count(routeLimits.ingress(), "connections");
                return GatewayErrorResponses.write(exchange, connectionStatus, TOO_MANY_IN_PROGRESS);
            }
        }
        if (routeLimits.zone() != null) {
            RequestRateLimiter.Decision decision = requests.admit(routeLimits.zone(), client);
            if (!decision.admitted()) {
                if (inProgress != null) {
                    connections.release(inProgress);
                }
                count(routeLimits.ingress(), "requests");
                exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER,
                        Long.toString(retryAfterSeconds(decision.retryAfterNanos())));
                return GatewayErrorResponses.write(exchange, requestStatus, TOO_MANY_REQUESTS);
            }
        }
        if (inProgress == null) {
            return chain.filter(exchange);
        }
        ConcurrentRequestLimiter.ClientKey acquired = inProgress;
        ServerWebExchange admitted = exchange;
        return Mono.defer(() -> chain.filter(admitted)).doFinally(signal -> connections.release(acquired));
    }

    /** Whole seconds, rounded up (a client that waits as told is admitted), at least 1. */
    static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    private void count(IngressRef ingress, String limit) {
        registry.counter(REJECTED, "namespace", ingress.namespace(), "ingress", ingress.name(), "limit", limit)
                .increment();
    }

    /**
     * What a route's policy comes to: its Ingress, the zone of its request limits (null when none), its concurrent
     * request limit (0 for none) and the exempt blocks, read once.
     */
    record RouteLimits(IngressRef ingress, RequestRateLimiter.Zone zone, int connections,
                       List<AddressRange> exempt, long responseBytesPerSecond, long responseFreeBytes) {

        static RouteLimits of(IngressRef ingress, RateLimitPolicy policy) {
            RequestRateLimiter.Zone zone = policy.limitsRequests()
                    ? new RequestRateLimiter.Zone(ingress, policy.requestsPerSecond(), policy.requestsPerMinute(),
                    policy.burstMultiplier())
                    : null;
            return new RouteLimits(ingress, zone, policy.connections(),
                    policy.exemptCidrs().stream().map(AddressRange::parse).toList(),
                    policy.responseRate() * 1024L, policy.responseRateAfter() * 1024L);
        }

        boolean exempts(InetAddress client) {
            if (exempt.isEmpty()) {
                return false;
            }
            byte[] address = IpAddresses.unmapped(client.getAddress());
            for (AddressRange range : exempt) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        }
    }
}
