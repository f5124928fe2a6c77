package io.ingressgateway.gateway;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The gateway's route timer ({@code spring.cloud.gateway.requests}, same name and tags as Spring Cloud Gateway's
 * {@code GatewayMetricsFilter}: routeId, routeUri, outcome, status, httpStatusCode, httpMethod, plus the static tags of
 * {@code spring.cloud.gateway.server.webflux.metrics.tags}), with each route's timers kept at hand.
 *
 * <p>The stock filter builds the tags and looks the timer up in the registry on every request: a sort of the tags, a
 * hash over them, a map lookup and a tag-by-tag comparison with the registered id. With thousands of routes each
 * request hits a different route, so every one of those steps reads memory no recent request touched (docs/benchmarks.md,
 * route scale: its share of a request's CPU tripled from 10 to 10,000 rules). Here a route's timers are kept with the
 * route ({@link PerRouteCache}: in the {@link RouteState} the request carries, or by route id for other routes) and
 * found by status and method in a short list.
 *
 * <p>Timers kept by id for routes that are gone are dropped after a route refresh ({@link #retainRoutes}), at most
 * once per {@link #PRUNE_INTERVAL_NANOS} (a removed route's timers stay cached until the first refresh after that):
 * pruning takes every route's id, and with 10,000 routes doing it on every refresh was a third of a refresh's time.
 * Unlike the stock filter, the same prune also removes a gone route's timers from the registry, as ingress-nginx drops
 * the metrics of a deleted Ingress: with Ingresses coming and going (preview environments, say), the stock filter's
 * series only ever grow, in the gateway's heap and in every scrape.
 */
public class RouteTimerFilter implements GlobalFilter, Ordered {

    /** A route rarely answers with more than a few (status, method) pairs; past this, lookups go to the registry. */
    static final int MAX_CACHED_PER_ROUTE = 32;
    /** How long timers of a route that is gone may stay in the cache after the refresh that removed it. */
    static final long PRUNE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final MeterRegistry registry;
    private final String meterName;
    private final Tags staticTags;
    private final int order;
    /** The timers registered for each route id, to remove when the id is no longer served; guarded by itself. */
    private final Map<String, Set<Meter.Id>> registeredByRouteId = new HashMap<>();
    /**
     * Replaced whenever timers are removed from the registry, so that no route keeps recording into a removed timer: a
     * prune works from the routes of the latest refresh, which can miss a route served since (the index is updated
     * before the refresh), whose timers then come back, counting from zero, at its next request.
     */
    private volatile Object timersVersion = new Object();
    /** Each route's timers, for the current {@link #timersVersion}. */
    private final PerRouteCache<RouteTimers> byRoute = new PerRouteCache<>(RouteState.Slot.TIMERS, RouteTimers::new);
    private final RouteLocator routeLocator;
    /** When the cache was last pruned; only touched by refresh events, which come one at a time. */
    private long lastPrune;
    private boolean pruned;

    public RouteTimerFilter(MeterRegistry registry, RouteLocator routeLocator, String prefix,
                            Map<String, String> staticTags, int order) {
        this.registry = registry;
        this.routeLocator = routeLocator;
        String base = prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
        this.meterName = base + ".requests";
        Tags tags = Tags.empty();
        for (Map.Entry<String, String> entry : staticTags.entrySet()) {
            tags = tags.and(Tag.of(entry.getKey(), entry.getValue()));
        }
        this.staticTags = tags;
        this.order = order;
    }

    @Override
    public int getOrder() {
        return order;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long start = registry.config().clock().monotonicTime();
        return chain.filter(exchange)
                .doOnSuccess(ignored -> stopRespectingCommit(exchange, start))
                .doOnError(ignored -> stopRespectingCommit(exchange, start));
    }

    /** As the stock filter: a response not yet committed is timed when it commits (an error page being written). */
    private void stopRespectingCommit(ServerWebExchange exchange, long start) {
        if (exchange.getResponse().isCommitted()) {
            stop(exchange, start);
        } else {
            exchange.getResponse().beforeCommit(() -> {
                stop(exchange, start);
                return Mono.empty();
            });
        }
    }

    private void stop(ServerWebExchange exchange, long start) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        int code = status == null ? -1 : status.value();
        String method = exchange.getRequest().getMethod().name();
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        long elapsed = registry.config().clock().monotonicTime() - start;
        timer(exchange, route, code, method).record(elapsed, TimeUnit.NANOSECONDS);
    }

    private Timer timer(ServerWebExchange exchange, Route route, int code, String method) {
        if (route == null) {
            return register(null, code, method);
        }
        return byRoute.get(exchange, route, timersVersion).timer(this, code, method);
    }

    /** The timer of a request that carries no route state. */
    Timer timer(Route route, int code, String method) {
        if (route == null) {
            return register(null, code, method);
        }
        // New, or the same id now naming another route (its URI may differ): its list starts afresh.
        return byRoute.get(route, timersVersion).timer(this, code, method);
    }

    /** The timer as the stock filter's tags providers would name it. */
    Timer register(Route route, int code, String method) {
        String outcome = "CUSTOM";
        String statusName = "CUSTOM";
        String statusCode = "NA";
        if (code >= 0) {
            statusCode = String.valueOf(code);
            statusName = statusCode;
            HttpStatus resolved = HttpStatus.resolve(code);
            if (resolved != null) {
                outcome = resolved.series().name();
                statusName = resolved.name();
            }
        }
        Tags tags = Tags.of("outcome", outcome, "status", statusName, "httpStatusCode", statusCode,
                "httpMethod", method);
        if (route != null) {
            tags = tags.and("routeId", route.getId(), "routeUri", route.getUri().toString());
        }
        if (route == null) {
            return registry.timer(meterName, tags.and(staticTags));
        }
        // Registered and noted as one step against a prune (rare: once per route, status and method).
        synchronized (registeredByRouteId) {
            Timer timer = registry.timer(meterName, tags.and(staticTags));
            registeredByRouteId.computeIfAbsent(route.getId(), id -> new HashSet<>()).add(timer.getId());
            return timer;
        }
    }

    /** After a refresh: forgets the timers of routes no longer served. */
    public void onApplicationEvent(RefreshRoutesResultEvent event) {
        long now = System.nanoTime();
        if (event.isSuccess() && (!pruned || now - lastPrune >= PRUNE_INTERVAL_NANOS)) {
            pruned = true;
            lastPrune = now;
            routeLocator.getRoutes().map(Route::getId).collect(Collectors.toSet()).subscribe(this::retainRoutes);
        }
    }

    /** Forgets the timers of routes no longer served (called with the ids of the routes after a refresh). */
    public void retainRoutes(Set<String> routeIds) {
        byRoute.retainRoutes(routeIds);
        synchronized (registeredByRouteId) {
            boolean removed = registeredByRouteId.entrySet().removeIf(route -> {
                if (routeIds.contains(route.getKey())) {
                    return false;
                }
                // A request of the gone route still in flight records into a removed timer: nothing is exported.
                route.getValue().forEach(registry::remove);
                return true;
            });
            if (removed) {
                timersVersion = new Object();
            }
        }
    }

    int cachedRoutes() {
        return byRoute.size();
    }

    /** One route's timers by (status code, method), copied on write: requests only read. */
    private static final class RouteTimers {

        private record Entry(int code, String method, Timer timer) {
        }

        private final Route route;
        private volatile Entry[] entries = new Entry[0];

        RouteTimers(Route route) {
            this.route = route;
        }

        Timer timer(RouteTimerFilter owner, int code, String method) {
            Entry[] current = entries;
            for (Entry entry : current) {
                if (entry.code == code && entry.method.equals(method)) {
                    return entry.timer;
                }
            }
            Timer timer = owner.register(route, code, method);
            synchronized (this) {
                Entry[] latest = entries;
                if (latest.length < MAX_CACHED_PER_ROUTE && !contains(latest, code, method)) {
                    Entry[] grown = Arrays.copyOf(latest, latest.length + 1);
                    grown[latest.length] = new Entry(code, method, timer);
                    entries = grown;
                }
            }
            return timer;
        }

        private static boolean contains(Entry[] entries, int code, String method) {
            for (Entry entry : entries) {
                if (entry.code == code && entry.method.equals(method)) {
                    return true;
                }
            }
            return false;
        }

        int size() {
            return entries.length;
        }
    }

    int cachedTimers(String routeId) {
        RouteTimers timers = byRoute.keptById(routeId);
        return timers == null ? 0 : timers.size();
    }
}
