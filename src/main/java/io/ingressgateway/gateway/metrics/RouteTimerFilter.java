package io.ingressgateway.gateway.metrics;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
 * {@code spring.cloud.gateway.server.webflux.metrics.tags}), with each route's timers kept at hand. Unlike the stock
 * filter's, its tags never take a value a client makes up: a method outside the standard set is {@code OTHER}
 * ({@link MethodTag}), a status code Spring does not know is counted with its class ({@link StatusTag}); the meters
 * are bounded by the routes, whatever requests come.
 *
 * <p>The stock filter builds the tags and looks the timer up in the registry on every request: a sort of the tags, a
 * hash over them, a map lookup and a tag-by-tag comparison with the registered id. With thousands of routes each
 * request hits a different route, so every one of those steps reads memory no recent request touched, and its cost
 * grows with the number of routes. Here a route's timers are kept with the route ({@link PerRouteCache}: in the
 * {@link ServedRoute} the request carries, or by route id for other routes) and found by status and method in a short
 * list.
 *
 * <p>Each timer is a {@link RequestTimer}: count, total and time-window maximum in one object, registered as a function
 * timer named as the stock one (its {@code _count} and {@code _sum}) and a gauge named {@code <name>.seconds.max}
 * (its {@code _max}), so a Prometheus scrape shows the same series as the stock filter's timer. Recording into
 * Micrometer's own timer touched eight objects per request, each cold with requests spread over many routes.
 *
 * <p>Timers kept by id for routes that are gone are dropped after a route refresh ({@link #retainRoutes}), at most
 * once per {@link #PRUNE_INTERVAL_NANOS} (a removed route's timers stay cached until the first refresh after that):
 * pruning takes every route's id, which with many routes would be a large part of every refresh.
 * Unlike the stock filter, the same prune also removes a gone route's timers from the registry, as ingress-nginx drops
 * the metrics of a deleted Ingress: with Ingresses coming and going (preview environments, say), the stock filter's
 * series only ever grow, in the gateway's heap and in every scrape.
 */
public class RouteTimerFilter implements GlobalFilter, Ordered {

    /**
     * A route rarely answers with more than a few (status, method) pairs; past this, a request finds its timer by tags,
     * under the registration lock.
     */
    static final int MAX_CACHED_PER_ROUTE = 32;
    /**
     * Appended to the timer's name for the gauge of its maximum: Prometheus' naming makes that gauge
     * {@code <name>_seconds_max}, the name of a Micrometer timer's maximum.
     */
    static final String MAX_SUFFIX = ".seconds.max";
    /** How long timers of a route that is gone may stay in the cache after the refresh that removed it. */
    static final long PRUNE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("route timers");

    private final MeterRegistry registry;
    private final String meterName;
    private final Tags staticTags;
    private final int order;
    /** Every timer registered, by its tags; guarded by {@link #registeredByRouteId}. */
    private final Map<Tags, Registered> registered = new HashMap<>();
    /** The tags of the timers registered for each route id, to remove when the id is no longer served. */
    private final Map<String, Set<Tags>> registeredByRouteId = new HashMap<>();

    /** A timer with the meters that show it. */
    private record Registered(RequestTimer timer, List<Meter> meters) {
    }
    /**
     * Replaced whenever timers are removed from the registry, so that no route keeps recording into a removed timer: a
     * prune works from the routes of the latest refresh, which can miss a route served since (the index is updated
     * before the refresh), whose timers then come back, counting from zero, at its next request.
     */
    private volatile Object timersVersion = new Object();
    /** Each route's timers, for the current {@link #timersVersion}. */
    private final PerRouteCache<RouteTimers> byRoute =
            new PerRouteCache<>(SLOT, (route, served) -> new RouteTimers(route));
    private final RouteLocator routeLocator;
    private final Duration maxRotation;
    /** When the cache was last pruned; only touched by refresh events, which come one at a time. */
    private long lastPrune;
    private boolean pruned;

    public RouteTimerFilter(MeterRegistry registry, RouteLocator routeLocator, String prefix,
                            Map<String, String> staticTags, int order) {
        this(registry, routeLocator, prefix, staticTags, order, DistributionStatisticConfig.DEFAULT.getExpiry());
    }

    /**
     * @param maxRotation how often the maximum's time window moves on: the expiry a Micrometer timer would get from the
     *                    registry (for Prometheus, its step)
     */
    public RouteTimerFilter(MeterRegistry registry, RouteLocator routeLocator, String prefix,
                            Map<String, String> staticTags, int order, Duration maxRotation) {
        this.registry = registry;
        this.maxRotation = maxRotation;
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
        int code = status == null ? StatusTag.NONE : StatusTag.key(status.value());
        // Never the raw token: a client could otherwise create meters without end (MethodTag).
        String method = MethodTag.of(exchange.getRequest().getMethod());
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        long elapsed = registry.config().clock().monotonicTime() - start;
        timer(exchange, route, code, method).record(elapsed);
    }

    private RequestTimer timer(ServerWebExchange exchange, Route route, int code, String method) {
        if (route == null) {
            return register(null, code, method);
        }
        return byRoute.get(exchange, route, timersVersion).timer(this, code, method);
    }

    /** The timer of a request that carries no route state, for a status code as received. */
    RequestTimer timer(Route route, int statusCode, String method) {
        int code = StatusTag.key(statusCode);
        if (route == null) {
            return register(null, code, method);
        }
        // New, or the same id now naming another route (its URI may differ): its list starts afresh.
        return byRoute.get(route, timersVersion).timer(this, code, method);
    }

    /**
     * The timer as the stock filter's tags providers would name it, registered unless it is already; {@code code} is
     * a {@link StatusTag#key}. Unlike the stock filter's, the tags come from closed sets whatever the request: the
     * method's from {@link MethodTag}, the status's from {@link StatusTag}.
     */
    RequestTimer register(Route route, int code, String method) {
        String outcome = "CUSTOM";
        String statusCode = StatusTag.codeTag(code);
        String statusName = code == StatusTag.NONE ? "CUSTOM" : statusCode;
        HttpStatus resolved = StatusTag.known(code);
        if (resolved != null) {
            outcome = resolved.series().name();
            statusName = resolved.name();
        }
        Tags tags = Tags.of("outcome", outcome, "status", statusName, "httpStatusCode", statusCode,
                "httpMethod", method);
        if (route != null) {
            tags = tags.and("routeId", route.getId(), "routeUri", route.getUri().toString());
        }
        Tags all = tags.and(staticTags);
        // Registered and noted as one step against a prune (rare: once per route, status and method).
        synchronized (registeredByRouteId) {
            Registered existing = registered.get(all);
            if (existing == null) {
                RequestTimer timer = new RequestTimer(code, method, registry.config().clock(), maxRotation);
                existing = new Registered(timer, List.of(
                        FunctionTimer.builder(meterName, timer, RequestTimer::count, RequestTimer::totalNanos,
                                TimeUnit.NANOSECONDS).tags(all).register(registry),
                        Gauge.builder(meterName + MAX_SUFFIX, timer, RequestTimer::maxSeconds).tags(all)
                                .strongReference(true).register(registry)));
                registered.put(all, existing);
            }
            if (route != null) {
                registeredByRouteId.computeIfAbsent(route.getId(), id -> new HashSet<>()).add(all);
            }
            return existing.timer();
        }
    }

    /** The meters of the timer that {@link #register} gives for these arguments (for tests and inspection). */
    List<Meter> meters(Route route, int statusCode, String method) {
        RequestTimer timer = register(route, StatusTag.key(statusCode), method);
        synchronized (registeredByRouteId) {
            return registered.values().stream().filter(r -> r.timer() == timer).findFirst()
                    .map(Registered::meters).orElseThrow();
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
                for (Tags tags : route.getValue()) {
                    Registered gone = registered.remove(tags);
                    if (gone != null) {
                        gone.meters().forEach(registry::remove);
                    }
                }
                return true;
            });
            if (removed) {
                timersVersion = new Object();
            }
        }
    }

    /** How often the timers' maximum moves on to its next time window. */
    public Duration maxRotation() {
        return maxRotation;
    }

    int cachedRoutes() {
        return byRoute.size();
    }

    /** One route's timers by (status code, method), copied on write: requests only read. */
    private static final class RouteTimers {

        private final Route route;
        /** The timer of the first (status, method) seen, checked first: most routes answer mostly one. */
        private volatile RequestTimer first;
        private volatile RequestTimer[] more = new RequestTimer[0];

        RouteTimers(Route route) {
            this.route = route;
        }

        RequestTimer timer(RouteTimerFilter owner, int code, String method) {
            RequestTimer kept = first;
            if (kept != null && kept.isFor(code, method)) {
                return kept;
            }
            for (RequestTimer timer : more) {
                if (timer.isFor(code, method)) {
                    return timer;
                }
            }
            RequestTimer timer = owner.register(route, code, method);
            synchronized (this) {
                if (first == null) {
                    first = timer;
                } else if (size() < MAX_CACHED_PER_ROUTE && !first.isFor(code, method)
                        && Arrays.stream(more).noneMatch(t -> t.isFor(code, method))) {
                    RequestTimer[] grown = Arrays.copyOf(more, more.length + 1);
                    grown[more.length] = timer;
                    more = grown;
                }
            }
            return timer;
        }

        int size() {
            return (first == null ? 0 : 1) + more.length;
        }
    }

    int cachedTimers(String routeId) {
        RouteTimers timers = byRoute.keptById(routeId);
        return timers == null ? 0 : timers.size();
    }
}
