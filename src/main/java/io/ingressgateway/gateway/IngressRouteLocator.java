package io.ingressgateway.gateway;

import io.ingressgateway.model.RouteModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * The gateway's routes for Ingress objects, kept incrementally. Each {@link #update} converts only the definitions
 * that are new or changed into routes; a route whose definition is unchanged is kept as the same instance, or, when
 * only its position moved, rebuilt around its existing predicate and metadata.
 *
 * <p>This replaces a route definition repository read by the gateway's {@code RouteDefinitionRouteLocator}, which
 * converts every definition on every refresh and binds each predicate's configuration through the gateway's
 * configuration service: with 10,000 Ingresses that took seconds per change. Routes built here are the same as those
 * (same id, URI, order, {@code IngressRule} predicate and metadata); the gateway's caching locator still collects
 * them on each refresh, so Actuator's {@code /actuator/gateway/routes} and every route consumer see them as before.
 */
@Component
public class IngressRouteLocator implements RouteLocator {

    /** What one update did, for logs and tests. */
    public record Update(boolean changed, int converted, int repositioned, int reused, int removed) {
    }

    private record Built(IngressRouteDefinition definition, Route route) {
    }

    private record Generation(List<IngressRouteDefinition> definitions, List<Route> routes, Map<String, Built> byId) {
    }

    private volatile Generation generation = new Generation(List.of(), List.of(), Map.of());

    public IngressRouteLocator() {
        update(IngressRouteDefinitions.from(RouteModel.EMPTY));
    }

    @Override
    public Flux<Route> getRoutes() {
        return Flux.defer(() -> Flux.fromIterable(generation.routes()));
    }

    /** The routes now, in order. */
    public List<Route> routes() {
        return generation.routes();
    }

    /**
     * Makes the routes those of {@code definitions} (in precedence order; ids unique). Called by one thread at a time
     * (the pipeline's); readers see either the previous routes or the new ones, never a mix.
     */
    public synchronized Update update(List<IngressRouteDefinition> definitions) {
        Generation previous = generation;
        if (previous.definitions().equals(definitions)) {
            return new Update(false, 0, 0, definitions.size(), 0);
        }
        List<Route> routes = new ArrayList<>(definitions.size());
        Map<String, Built> byId = new HashMap<>(definitions.size() * 4 / 3 + 1);
        int converted = 0;
        int repositioned = 0;
        int reused = 0;
        for (IngressRouteDefinition definition : definitions) {
            int order = routes.size();
            Built before = previous.byId().get(definition.id());
            Route route;
            if (before == null || !before.definition().equals(definition)) {
                route = convert(definition, order);
                converted++;
            } else if (before.route().getOrder() != order) {
                route = reposition(before.route(), order);
                repositioned++;
            } else {
                route = before.route();
                reused++;
            }
            if (byId.put(definition.id(), new Built(definition, route)) != null) {
                throw new IllegalArgumentException("Duplicate route id " + definition.id());
            }
            routes.add(route);
        }
        int removed = 0;
        for (String id : previous.byId().keySet()) {
            if (!byId.containsKey(id)) {
                removed++;
            }
        }
        generation = new Generation(List.copyOf(definitions), List.copyOf(routes), byId);
        return new Update(true, converted, repositioned, reused, removed);
    }

    private static Route convert(IngressRouteDefinition definition, int order) {
        return Route.async()
                .id(definition.id())
                .uri(definition.uri())
                .order(order)
                .predicate(IngressRuleRoutePredicateFactory.predicate(
                        new IngressRuleRoutePredicateFactory.Config(definition.predicateHosts(), definition.path())))
                .replaceMetadata(definition.metadata())
                .build();
    }

    /** The same route at another position: predicate, metadata and filters are shared, not rebuilt. */
    private static Route reposition(Route route, int order) {
        return Route.async()
                .id(route.getId())
                .uri(route.getUri())
                .order(order)
                .asyncPredicate(route.getPredicate())
                .replaceMetadata(route.getMetadata())
                .replaceFilters(route.getFilters())
                .build();
    }
}
