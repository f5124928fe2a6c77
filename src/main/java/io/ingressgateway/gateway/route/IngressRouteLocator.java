package io.ingressgateway.gateway.route;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.IdentityDiff;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The gateway's routes for Ingress objects, kept incrementally. Each {@link #update} converts only the definitions
 * that are new or changed into routes; a route whose definition is unchanged is kept as the same instance.
 *
 * <p>Each route comes with its {@link ServedRoute}, the typed description the route index hands to requests.
 *
 * <p>This replaces a route definition repository read by the gateway's {@code RouteDefinitionRouteLocator}, which
 * converts every definition on every refresh and binds each predicate's configuration through the gateway's
 * configuration service, so that a change would cost in proportion to all Ingresses rather than to the change. Routes
 * built here have an id, URI, {@code IngressRule} predicate and metadata as a definition would give them; the
 * gateway's caching locator still collects them on each refresh, so Actuator's {@code /actuator/gateway/routes} and
 * every route consumer see them.
 *
 * <p>Every route has the same order, {@link #ORDER}, and precedence is the sequence this locator lists them in: the
 * gateway's {@code CompositeRouteLocator} keeps each locator's sequence ({@code flatMapSequential}) and its
 * {@code CachingRouteLocator} sorts by order with a stable sort ({@code List.sort}), so a stock ordered scan and
 * Actuator still see the routes in precedence order. An order per position would change the order of every later
 * route when one is inserted, and a route's order cannot change without building a new route.
 */
@Component
public class IngressRouteLocator implements RouteLocator {

    /** The order of every Ingress route; ties keep this locator's sequence. */
    public static final int ORDER = 0;

    /** What one update did, for logs and tests. */
    public record Update(boolean changed, int converted, int reused, int removed) {
    }

    /** A definition and the route made from it. */
    private record Built(IngressRouteDefinition definition, ServedRoute served) {
    }

    /** The routes of one update, and their served routes, in the same order. */
    private record Published(List<Route> routes, List<ServedRoute> served) {
    }

    // Changed under this object's lock only.
    /** What was built of every listed definition, by id. */
    private final Map<String, Built> byId = new HashMap<>();
    /** The definitions of the last update as given, and what was built of each, in the same order. */
    private List<IngressRouteDefinition> definitions = List.of();
    private Built[] built = new Built[0];

    private volatile Published published = new Published(List.of(), List.of());
    /** Told after every update that changed the routes, on the updating thread. */
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

    public IngressRouteLocator() {
        update(IngressRouteDefinitions.from(RouteModel.EMPTY));
    }

    @Override
    public Flux<Route> getRoutes() {
        return Flux.defer(() -> Flux.fromIterable(published.routes()));
    }

    /**
     * Runs {@code listener} after every update that changes the routes, on the updating thread, once {@link #routes}
     * and {@link #served} give the new ones.
     */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    /** The routes now, in order. */
    public List<Route> routes() {
        return published.routes();
    }

    /** The served routes of {@link #routes()}, in the same order. */
    public List<ServedRoute> served() {
        return published.served();
    }

    /** Whether a gateway route was made by this locator (now or before): its predicate is the Ingress rule one. */
    public static boolean isIngressRoute(Route route) {
        return route.getPredicate() instanceof IngressRuleRoutePredicateFactory.IngressRulePredicate;
    }

    /**
     * Makes the routes those of {@code definitions} (in precedence order; ids unique). Called by one thread at a time
     * (the pipeline's); readers see either the previous routes or the new ones, never a mix.
     *
     * <p>The definitions of unchanged virtual hosts are the very same objects as last time, in the same order
     * ({@link IngressRouteDefinitions#from(RouteModel, Map, Map)}): the common start and end of both lists (same or
     * equal definitions) are copied over as a block, and only the definitions between them are looked up by id. Not
     * even the objects of the common parts are touched, so an update costs in proportion to the change.
     */
    public synchronized Update update(List<IngressRouteDefinition> definitions) {
        List<IngressRouteDefinition> given = List.copyOf(definitions);
        List<IngressRouteDefinition> before = this.definitions;
        IdentityDiff diff = IdentityDiff.betweenEqual(before, given);
        if (diff.prefix() == given.size() && given.size() == before.size()) {
            return new Update(false, 0, given.size(), 0);
        }
        Built[] previous = built;
        Built[] next = new Built[given.size()];
        int middleEnd = next.length - diff.suffix();
        System.arraycopy(previous, 0, next, 0, diff.prefix());
        System.arraycopy(previous, previous.length - diff.suffix(), next, middleEnd, diff.suffix());
        // Every listed id is in byId: one that is not among the previous middle's is in a common part.
        Set<Built> previousMiddle = identitySet(Arrays.asList(previous).subList(diff.prefix(),
                previous.length - diff.suffix()));
        Set<Built> reusedInMiddle = identitySet(List.of());
        Map<String, Built> fresh = new HashMap<>();
        int converted = 0;
        for (int i = diff.prefix(); i < middleEnd; i++) {
            IngressRouteDefinition definition = given.get(i);
            Built existing = byId.get(definition.id());
            if (fresh.containsKey(definition.id())
                    || (existing != null && (!previousMiddle.contains(existing) || reusedInMiddle.contains(existing)))) {
                // Nothing is published or forgotten yet.
                throw new IllegalArgumentException("Duplicate route id " + definition.id());
            }
            if (existing == null
                    || (existing.definition() != definition && !existing.definition().equals(definition))) {
                existing = new Built(definition, convert(definition));
                fresh.put(definition.id(), existing);
                converted++;
            } else {
                reusedInMiddle.add(existing);
            }
            next[i] = existing;
        }
        int removed = 0;
        for (Built gone : previousMiddle) {
            if (!reusedInMiddle.contains(gone)) {
                byId.remove(gone.definition().id(), gone);
                if (!fresh.containsKey(gone.definition().id())) {
                    removed++;
                }
            }
        }
        byId.putAll(fresh);
        this.definitions = given;
        this.built = next;
        int reused = next.length - converted;
        Published current = published;
        boolean same = current.served().size() == next.length;
        for (int i = diff.prefix(); same && i < middleEnd; i++) {
            same = current.served().get(i) == next[i].served();
        }
        if (same) {
            return new Update(false, 0, reused, 0);
        }
        ServedRoute[] nextServed = new ServedRoute[next.length];
        Route[] nextRoutes = new Route[next.length];
        // The common parts' routes are where they were in the current lists, as are their definitions.
        int size = current.served().size();
        for (int i = 0; i < diff.prefix(); i++) {
            nextServed[i] = current.served().get(i);
            nextRoutes[i] = current.routes().get(i);
        }
        for (int i = 1; i <= diff.suffix(); i++) {
            nextServed[next.length - i] = current.served().get(size - i);
            nextRoutes[next.length - i] = current.routes().get(size - i);
        }
        for (int i = diff.prefix(); i < middleEnd; i++) {
            nextServed[i] = next[i].served();
            nextRoutes[i] = nextServed[i].route();
        }
        published = new Published(List.of(nextRoutes), List.of(nextServed));
        changeListeners.forEach(Runnable::run);
        return new Update(true, converted, reused, removed);
    }

    private static <T> Set<T> identitySet(Collection<T> elements) {
        Set<T> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(elements);
        return set;
    }

    private static ServedRoute convert(IngressRouteDefinition definition) {
        Route route = Route.async()
                .id(definition.id())
                .uri(definition.uri())
                .order(ORDER)
                .asyncPredicate(new IngressRuleRoutePredicateFactory.IngressRulePredicate(definition.predicateHosts(),
                        definition.path()))
                .replaceMetadata(definition.metadata())
                .build();
        return new ServedRoute(definition, route);
    }
}
