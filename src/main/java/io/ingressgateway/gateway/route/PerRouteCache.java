package io.ingressgateway.gateway.route;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * What a request filter works out from a route (its upstream, its guard, its timers), kept per route for one version
 * of what that depends on (a served model, a generation of guards). A value holds while the route is the same object
 * and the version the same object.
 *
 * <p>For a route the index matched, the value is kept in the route's {@link ServedRoute}, which the request carries;
 * for any other route (one configured in properties, or a request that did not come through the index) in a map by
 * route id, which a new version empties, so it never holds more than the routes requests used since.
 *
 * @param <V> what is kept per route (may be null)
 */
public final class PerRouteCache<V> {

    /** Works a route's value out. */
    @FunctionalInterface
    public interface Compute<V> {

        /**
         * @param route  the gateway route
         * @param served its served route, or null when the request carries none (a route not made from the model)
         */
        V compute(Route route, ServedRoute served);
    }

    private record Entry<V>(Route route, Object version, V value) {
    }

    private final ServedRoute.Slot slot;
    private final ConcurrentHashMap<String, Entry<V>> byRouteId = new ConcurrentHashMap<>();
    private final Compute<V> compute;
    private volatile Object version;

    /**
     * @param slot    where in a {@link ServedRoute} the values are kept: the owning class's own
     * @param compute works the value out for a route; called at most once per route and version, unless raced
     */
    public PerRouteCache(ServedRoute.Slot slot, Compute<V> compute) {
        this.slot = slot;
        this.compute = compute;
    }

    /** The value for the request's {@code route} under {@code current} (a version token), worked out when not kept. */
    public V get(ServerWebExchange exchange, Route route, Object current) {
        ServedRoute served = ServedRoute.of(exchange, route);
        return served != null ? get(served, current) : get(route, current);
    }

    /** The value for a served route under {@code current}, kept in the route. */
    @SuppressWarnings("unchecked")
    public V get(ServedRoute served, Object current) {
        Object kept = served.get(slot, current);
        if (kept != ServedRoute.ABSENT) {
            return (V) kept;
        }
        V value = compute.compute(served.route(), served);
        served.put(slot, current, value);
        return value;
    }

    /** The value for a route the request carries no served route for, under {@code current}, kept by route id. */
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
        V value = compute.compute(route, null);
        byRouteId.put(route.getId(), new Entry<>(route, current, value));
        return value;
    }

    /** Forgets what is kept by id for routes other than these (values kept in a served route go with the route). */
    public void retainRoutes(Set<String> routeIds) {
        byRouteId.keySet().retainAll(routeIds);
    }

    /** How many routes are kept by id. */
    public int size() {
        return byRouteId.size();
    }

    /** What is kept by id for a route, or null. */
    public V keptById(String routeId) {
        Entry<V> entry = byRouteId.get(routeId);
        return entry == null ? null : entry.value();
    }
}
