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
 * <p>One slot per {@link Slot}, each a value with the version it was worked out for, held in two fields of this object
 * itself rather than in a (version, value) object of its own: that object was one more read from memory per slot and
 * request, with requests spread over thousands of routes (docs/benchmarks.md, route scale). A slot is written under
 * this object's lock, version last and cleared first, and read version, value, version again: a value is used only if
 * the version read before and after it is the one asked for, so a reader never takes a value worked out for another
 * version of what it depends on, except one put by a writer that raced a version change (which is no worse than a
 * request that started a moment earlier).
 */
public final class RouteState {

    /** Exchange attribute: the {@link RouteState} of the route the index matched. */
    public static final String ATTR = RouteState.class.getName();

    /** What {@link #get} answers when a slot holds no value for the version asked for. */
    static final Object ABSENT = new Object();

    /** Who keeps a value here: one cache of each kind per gateway. */
    public enum Slot { UPSTREAM, GUARD, TIMERS }

    private final Route route;
    // Plain fields rather than arrays, so a route's state is one small object.
    private volatile Object upstreamVersion;
    private volatile Object upstream;
    private volatile Object guardVersion;
    private volatile Object guard;
    private volatile Object timersVersion;
    private volatile Object timers;

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

    /** The value kept in {@code slot} for {@code version} (not null), which may be null; else {@link #ABSENT}. */
    Object get(Slot slot, Object version) {
        switch (slot) {
            case UPSTREAM -> {
                Object before = upstreamVersion;
                Object value = upstream;
                return before == version && upstreamVersion == before ? value : ABSENT;
            }
            case GUARD -> {
                Object before = guardVersion;
                Object value = guard;
                return before == version && guardVersion == before ? value : ABSENT;
            }
            default -> {
                Object before = timersVersion;
                Object value = timers;
                return before == version && timersVersion == before ? value : ABSENT;
            }
        }
    }

    /** Keeps {@code value} in {@code slot} for {@code version} (not null). */
    synchronized void put(Slot slot, Object version, Object value) {
        switch (slot) {
            case UPSTREAM -> {
                upstreamVersion = null;
                upstream = value;
                upstreamVersion = version;
            }
            case GUARD -> {
                guardVersion = null;
                guard = value;
                guardVersion = version;
            }
            default -> {
                timersVersion = null;
                timers = value;
                timersVersion = version;
            }
        }
    }
}
