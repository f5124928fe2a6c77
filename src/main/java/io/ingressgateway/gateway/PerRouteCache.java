package io.ingressgateway.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.springframework.cloud.gateway.route.Route;

/**
 * What a request filter works out from a route (its upstream, its guard), kept by route id for one version of what
 * that depends on (a served model, a generation of guards). Working it out reads the route's metadata and a map or
 * two, each in memory of that one route: with thousands of routes and requests spread over them, all of it is cold
 * (docs/benchmarks.md, route scale). An entry holds while the route is the same object and the version the same
 * object; a new version empties the cache, so it never holds more than the routes requests used since.
 *
 * @param <V> what is kept per route (may be null)
 */
public final class PerRouteCache<V> {

    private record Entry<V>(Route route, Object version, V value) {
    }

    private final ConcurrentHashMap<String, Entry<V>> byRouteId = new ConcurrentHashMap<>();
    private final Function<Route, V> compute;
    private volatile Object version;

    /** @param compute works the value out for a route; called at most once per route and version, unless raced */
    public PerRouteCache(Function<Route, V> compute) {
        this.compute = compute;
    }

    /** The value for {@code route} under {@code current} (a version token), worked out now when not kept. */
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

    /** How many routes are kept. */
    public int size() {
        return byRouteId.size();
    }
}
