package io.ingressgateway.gateway;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * What a request filter works out from a route (its upstream, its guard, its timers), kept per route for one version
 * of what that depends on (a served model, a generation of guards). Working it out reads the route's metadata and a
 * map or two, each in memory of that one route: with thousands of routes and requests spread over them, all of it is
 * cold (docs/benchmarks.md, route scale). A value holds while the route is the same object and the version the same
 * object.
 *
 * <p>For a route the index matched, the value is kept in the route's {@link RouteState}, which the request carries;
 * for any other route (one configured in properties, or a request that did not come through the index) in a map by
 * route id, which a new version empties, so it never holds more than the routes requests used since.
 *
 * @param <V> what is kept per route (may be null)
 */
public final class PerRouteCache<V> {

    private record Entry<V>(Route route, Object version, V value) {
    }

    private final RouteState.Slot slot;
    private final ConcurrentHashMap<String, Entry<V>> byRouteId = new ConcurrentHashMap<>();
    private final Function<Route, V> compute;
    private volatile Object version;

    /**
     * @param slot    where in a route's {@link RouteState} the values are kept; one cache per slot and gateway
     * @param compute works the value out for a route; called at most once per route and version, unless raced
     */
    public PerRouteCache(RouteState.Slot slot, Function<Route, V> compute) {
        this.slot = slot;
        this.compute = compute;
    }

    /** The value for the request's {@code route} under {@code current} (a version token), worked out when not kept. */
    @SuppressWarnings("unchecked")
    public V get(ServerWebExchange exchange, Route route, Object current) {
        RouteState state = RouteState.of(exchange, route);
        if (state == null) {
            return get(route, current);
        }
        Object kept = state.get(slot, current);
        if (kept != RouteState.ABSENT) {
            return (V) kept;
        }
        V value = compute.apply(route);
        state.put(slot, current, value);
        return value;
    }

    /** The value for {@code route} under {@code current}, kept by route id. */
    public V get(Route route, Object current) {
        if (current != version) {
            byRouteId.clear();
            version = current;
        }
        Entry<V> cached = byRouteId.get(route.getId());
        // The version is checked per entry too: a request racing a version change may put an entry of the old one.
        if (cached != null && cached.route() == route && cached.version() == current) {
            return cached.value();
        }
        V value = compute.apply(route);
        byRouteId.put(route.getId(), new Entry<>(route, current, value));
        return value;
    }

    /** Forgets what is kept by id for routes other than these (values kept in a route's state go with the route). */
    public void retainRoutes(Set<String> routeIds) {
        byRouteId.keySet().retainAll(routeIds);
    }

    /** How many routes are kept by id. */
    public int size() {
        return byRouteId.size();
    }

    /** What is kept by id for a route, or null. */
    V keptById(String routeId) {
        Entry<V> entry = byRouteId.get(routeId);
        return entry == null ? null : entry.value();
    }
}
