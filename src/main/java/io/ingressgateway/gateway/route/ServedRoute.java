package io.ingressgateway.gateway.route;

import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.RoutePolicy;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * One gateway route made from the route model, as the route index hands it to each request it routes ({@link #ATTR}):
 * what the route is, typed (its kind, the model's route with its policies, its upstream), and what request filters
 * keep for it. Filters read a request's route here, never from the gateway route's metadata.
 *
 * <p>What a filter works out from the route (its upstream's endpoints, its guard, its timers) is kept in a {@link Slot}
 * of this object for one version of what that depends on ({@link PerRouteCache}), so a request reaches it through the
 * route it carries, with no lookup by route id: with requests spread over thousands of routes, every map probe of such
 * a lookup reads memory no recent request touched. The first slots are fields of this object itself, not an array or a
 * (version, value) object per slot: each of those is one more read from memory per request.
 *
 * <p>A slot is written under this object's lock, version last and cleared first, and read version, value, version
 * again: a value is used only if the version read before and after it is the one asked for, so a reader never takes a
 * value worked out for another version of what it depends on, except one put by a writer that raced a version change
 * (which is no worse than a request that started a moment earlier).
 */
public final class ServedRoute {

    /** Exchange attribute: the {@link ServedRoute} of the route the index matched. */
    public static final String ATTR = ServedRoute.class.getName();

    /** What {@link #get} answers when a slot holds no value for the version asked for. */
    static final Object ABSENT = new Object();

    /** Slots held in fields; later ones live in {@link #more}. */
    private static final int FIELD_SLOTS = 4;

    private final IngressRouteDefinition definition;
    private final Route route;
    private volatile Object version0;
    private volatile Object value0;
    private volatile Object version1;
    private volatile Object value1;
    private volatile Object version2;
    private volatile Object value2;
    private volatile Object version3;
    private volatile Object value3;
    /** Versions and values of slots past the field ones, in pairs; replaced (never changed) under the lock. */
    private volatile Object[] more;

    /**
     * A place in every served route for one kind of per-route value. Each class that keeps such values allocates its
     * slot once, in a static field: slots are per class, not per instance, so the routes of every application context
     * in one JVM agree on them.
     */
    public static final class Slot {
        private static final AtomicInteger NEXT = new AtomicInteger();

        private final int index;
        private final String name;

        private Slot(int index, String name) {
            this.index = index;
            this.name = name;
        }

        /** A new slot, named after what it keeps (for {@link #toString}). */
        public static Slot allocate(String name) {
            return new Slot(NEXT.getAndIncrement(), name);
        }

        @Override
        public String toString() {
            return "slot " + index + " (" + name + ")";
        }
    }

    /** @param route the gateway route made from {@code definition} */
    public ServedRoute(IngressRouteDefinition definition, Route route) {
        this.definition = definition;
        this.route = route;
    }

    /** The served route the index attached to this request for {@code route}, or null (another route, or none). */
    public static ServedRoute of(ServerWebExchange exchange, Route route) {
        Object served = exchange.getAttributes().get(ATTR);
        return served instanceof ServedRoute servedRoute && servedRoute.route == route ? servedRoute : null;
    }

    /** The gateway route. */
    public Route route() {
        return route;
    }

    public IngressRouteDefinition definition() {
        return definition;
    }

    public Kind kind() {
        return definition.kind();
    }

    /** For a rule, the model's route it serves; null for a default or the not-found route. */
    public io.ingressgateway.model.Route rule() {
        return definition.rule();
    }

    /** The upstream requests go to; null for the not-found route. */
    public UpstreamKey upstreamKey() {
        return definition.upstreamKey();
    }

    /**
     * The policy of this type of the route the index matched for this request (its gateway route, as the filter chain
     * carries it), or null: no route, none set, or not a rule. What a global filter asks first.
     */
    public static <P extends RoutePolicy> P policyOf(ServerWebExchange exchange, Class<P> type) {
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : of(exchange, route);
        return served == null ? null : served.policy(type);
    }

    /** The rule's policy of this type, or null (none set, or not a rule). */
    public <P extends RoutePolicy> P policy(Class<P> type) {
        io.ingressgateway.model.Route rule = definition.rule();
        return rule == null ? null : rule.policies().get(type);
    }

    /** The value kept in {@code slot} for {@code version} (not null), which may be null; else {@link #ABSENT}. */
    Object get(Slot slot, Object version) {
        switch (slot.index) {
            case 0 -> {
                Object before = version0;
                Object value = value0;
                return before == version && version0 == before ? value : ABSENT;
            }
            case 1 -> {
                Object before = version1;
                Object value = value1;
                return before == version && version1 == before ? value : ABSENT;
            }
            case 2 -> {
                Object before = version2;
                Object value = value2;
                return before == version && version2 == before ? value : ABSENT;
            }
            case 3 -> {
                Object before = version3;
                Object value = value3;
                return before == version && version3 == before ? value : ABSENT;
            }
            default -> {
                // One array read: its versions and values never change once published.
                Object[] pairs = more;
                int at = 2 * (slot.index - FIELD_SLOTS);
                return pairs != null && at < pairs.length && pairs[at] == version ? pairs[at + 1] : ABSENT;
            }
        }
    }

    /** Keeps {@code value} in {@code slot} for {@code version} (not null). */
    synchronized void put(Slot slot, Object version, Object value) {
        switch (slot.index) {
            case 0 -> {
                version0 = null;
                value0 = value;
                version0 = version;
            }
            case 1 -> {
                version1 = null;
                value1 = value;
                version1 = version;
            }
            case 2 -> {
                version2 = null;
                value2 = value;
                version2 = version;
            }
            case 3 -> {
                version3 = null;
                value3 = value;
                version3 = version;
            }
            default -> {
                int at = 2 * (slot.index - FIELD_SLOTS);
                Object[] pairs = more == null ? new Object[at + 2]
                        : java.util.Arrays.copyOf(more, Math.max(more.length, at + 2));
                pairs[at] = version;
                pairs[at + 1] = value;
                more = pairs;
            }
        }
    }

    @Override
    public String toString() {
        return "ServedRoute[" + route.getId() + "]";
    }
}
