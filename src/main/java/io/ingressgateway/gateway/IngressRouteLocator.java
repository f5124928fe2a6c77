package io.ingressgateway.gateway;

import io.ingressgateway.model.RouteModel;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The gateway's routes for Ingress objects, kept incrementally. Each {@link #update} converts only the definitions
 * that are new or changed into routes; a route whose definition is unchanged is kept as the same instance.
 *
 * <p>This replaces a route definition repository read by the gateway's {@code RouteDefinitionRouteLocator}, which
 * converts every definition on every refresh and binds each predicate's configuration through the gateway's
 * configuration service: with 10,000 Ingresses that took seconds per change. Routes built here are the same as those
 * (same id, URI, {@code IngressRule} predicate and metadata); the gateway's caching locator still collects them on
 * each refresh, so Actuator's {@code /actuator/gateway/routes} and every route consumer see them as before.
 *
 * <p>Every route has the same order, {@link #ORDER}, and precedence is the sequence this locator lists them in: the
 * gateway's {@code CompositeRouteLocator} keeps each locator's sequence ({@code flatMapSequential}) and its
 * {@code CachingRouteLocator} sorts by order with a stable sort ({@code List.sort}), so a stock ordered scan and
 * Actuator still see the routes in precedence order. An order per position would change the order of every later
 * route when one is inserted, and a route's order cannot change without building a new route: with 10,000 Ingresses,
 * creating one rebuilt thousands of routes.
 */
@Component
public class IngressRouteLocator implements RouteLocator {

    /** The order of every Ingress route; ties keep this locator's sequence. */
    public static final int ORDER = 0;

    /** What one update did, for logs and tests. */
    public record Update(boolean changed, int converted, int reused, int removed) {
    }

    /** A definition and the route made from it; {@code seen} is the last update that listed it. */
    private static final class Built {
        private final IngressRouteDefinition definition;
        private final Route route;
        private long seen;

        Built(IngressRouteDefinition definition, Route route) {
            this.definition = definition;
            this.route = route;
        }
    }

    /** Every route made and still listed, by id; changed in place under this object's lock. */
    private final Map<String, Built> byId = new HashMap<>();
    private long updates;
    private volatile List<Route> routes = List.of();

    public IngressRouteLocator() {
        update(IngressRouteDefinitions.from(RouteModel.EMPTY));
    }

    @Override
    public Flux<Route> getRoutes() {
        return Flux.defer(() -> Flux.fromIterable(routes));
    }

    /** The routes now, in order. */
    public List<Route> routes() {
        return routes;
    }

    /**
     * Makes the routes those of {@code definitions} (in precedence order; ids unique). Called by one thread at a time
     * (the pipeline's); readers see either the previous routes or the new ones, never a mix.
     */
    public synchronized Update update(List<IngressRouteDefinition> definitions) {
        long stamp = ++updates;
        List<Route> previous = routes;
        Route[] next = new Route[definitions.size()];
        boolean sameSequence = previous.size() == next.length;
        int converted = 0;
        int reused = 0;
        for (int i = 0; i < next.length; i++) {
            IngressRouteDefinition definition = definitions.get(i);
            Built built = byId.get(definition.id());
            if (built != null && built.seen == stamp) {
                // Nothing is published; entries already replaced above stay valid (definition and route agree).
                throw new IllegalArgumentException("Duplicate route id " + definition.id());
            }
            if (built == null || (built.definition != definition && !built.definition.equals(definition))) {
                built = new Built(definition, convert(definition));
                byId.put(definition.id(), built);
                converted++;
            } else {
                reused++;
            }
            built.seen = stamp;
            next[i] = built.route;
            sameSequence = sameSequence && previous.get(i) == built.route;
        }
        int removed = 0;
        if (byId.size() != next.length) {
            // Every listed id is in the map: what else is there, the definitions no longer have.
            for (Iterator<Built> it = byId.values().iterator(); it.hasNext(); ) {
                if (it.next().seen != stamp) {
                    it.remove();
                    removed++;
                }
            }
        }
        if (sameSequence) {
            return new Update(false, 0, reused, 0);
        }
        routes = List.of(next);
        return new Update(true, converted, reused, removed);
    }

    private static Route convert(IngressRouteDefinition definition) {
        return Route.async()
                .id(definition.id())
                .uri(definition.uri())
                .order(ORDER)
                .predicate(IngressRuleRoutePredicateFactory.predicate(
                        new IngressRuleRoutePredicateFactory.Config(definition.predicateHosts(), definition.path())))
                .replaceMetadata(definition.metadata())
                .build();
    }
}
