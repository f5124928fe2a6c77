package io.ingressgateway.gateway;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * What the request filters work out from one Ingress route (its upstream, its guard, its timers), kept in one small
 * object that the route index hands to each request it routes ({@link #ATTR}). The filters then reach their per-route
 * values through the request, with no lookup by route id: with requests spread over thousands of routes, every map
 * probe of such a lookup reads memory no recent request touched, and three filters each probing a map of their own
 * cost more than the work they looked up (docs/benchmarks.md, route scale).
 *
 * <p>One slot per {@link Slot}, each an immutable (version, value) pair written whole: a request racing a version
 * change at worst works a value out again.
 */
public final class RouteState {

    /** Exchange attribute: the {@link RouteState} of the route the index matched. */
    public static final String ATTR = RouteState.class.getName();

    /** Who keeps a value here: one cache of each kind per gateway. */
    public enum Slot { UPSTREAM, GUARD, TIMERS }

    record Cached(Object version, Object value) {
    }

    private final Route route;
    // Plain fields rather than an array, so a route's state is one object; volatile for prompt visibility only
    // (a Cached is immutable, so any one that is read is whole).
    private volatile Cached upstream;
    private volatile Cached guard;
    private volatile Cached timers;

    RouteState(Route route) {
        this.route = route;
    }

    public Route route() {
        return route;
    }

    /** The state the index attached to this request for {@code route}, or null (another route, or none). */
    static RouteState of(ServerWebExchange exchange, Route route) {
        Object state = exchange.getAttributes().get(ATTR);
        return state instanceof RouteState routeState && routeState.route == route ? routeState : null;
    }

    Cached get(Slot slot) {
        return switch (slot) {
            case UPSTREAM -> upstream;
            case GUARD -> guard;
            case TIMERS -> timers;
        };
    }

    void put(Slot slot, Cached cached) {
        switch (slot) {
            case UPSTREAM -> upstream = cached;
            case GUARD -> guard = cached;
            case TIMERS -> timers = cached;
        }
    }
}
