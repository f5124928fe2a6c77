package io.ingressgateway.gateway;

import io.ingressgateway.gateway.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's handler mapping with an index: each request's route is found in a {@link RouteTable} (host by map
 * lookup, then that host's rules) instead of testing every route's predicate in turn. Everything else (route
 * attribute, filters, metrics, CORS, the management port check) is the stock mapping's.
 *
 * <p>The index is built from the routes the gateway's caching locator holds, once per refresh (on
 * {@link RefreshRoutesResultEvent}), so it always agrees with them. Routes not made from Ingress objects (configured
 * in properties, say) carry no Ingress metadata: they are tried first, by predicate, as the stock mapping would.
 */
public class IngressRouteHandlerMapping extends RoutePredicateHandlerMapping
        implements ApplicationListener<RefreshRoutesResultEvent> {

    private static final Logger log = LoggerFactory.getLogger(IngressRouteHandlerMapping.class);

    private final RouteLocator routeLocator;
    private final AtomicReference<RouteIndex> index = new AtomicReference<>();

    public IngressRouteHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
                                      GlobalCorsProperties globalCorsProperties, Environment environment) {
        super(webHandler, routeLocator, globalCorsProperties, environment);
        this.routeLocator = routeLocator;
    }

    @Override
    public void onApplicationEvent(RefreshRoutesResultEvent event) {
        if (!event.isSuccess()) {
            return; // the locator keeps its previous routes, and so do we
        }
        routeLocator.getRoutes().collectList().subscribe(
                routes -> {
                    long start = System.nanoTime();
                    index.set(new RouteIndex(routes, index.get()));
                    log.debug("Indexed {} routes in {} µs", routes.size(), (System.nanoTime() - start) / 1000);
                },
                error -> log.error("Could not index the gateway's routes; keeping the previous index", error));
    }

    @Override
    protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
        RouteIndex current = index.get();
        Mono<RouteIndex> ready = current != null ? Mono.just(current)
                // Before the first refresh event: index what the locator holds, once.
                : routeLocator.getRoutes().collectList().map(routes -> {
                    RouteIndex built = new RouteIndex(routes);
                    return index.compareAndSet(null, built) ? built : index.get();
                });
        return ready.flatMap(routeIndex -> routeIndex.find(exchange)).map(route -> {
            validateRoute(route, exchange);
            return route;
        });
    }

    /**
     * The routes of one refresh, indexed. What each route indexes to is read from its metadata once per route
     * instance and remembered for the next refresh: a refresh after one Ingress changed hands over the same route
     * instances but one, and reading 10,000 routes' metadata again was most of the index's rebuild.
     */
    static final class RouteIndex {

        /** What one route of ours indexes to. */
        private record Entry(Kind kind, HostMatch host, PathMatch path, List<HostMatch> defaultForHosts,
                             boolean modelDefault) {
        }

        private final List<Route> otherRoutes = new ArrayList<>();
        private final Map<Route, Entry> entries;
        private final RouteTable<Route> table;

        RouteIndex(Collection<Route> routes) {
            this(routes, null);
        }

        /** @param previous the index of the previous refresh, whose entries are reused for the same route instances */
        RouteIndex(Collection<Route> routes, RouteIndex previous) {
            Map<Route, Entry> known = previous == null ? Map.of() : previous.entries;
            entries = new IdentityHashMap<>(routes.size() * 4 / 3 + 1);
            RouteTable.Builder<Route> builder = RouteTable.builder();
            for (Route route : routes) {
                Entry entry = known.get(route);
                if (entry == null) {
                    entry = entry(route.getMetadata());
                    if (entry == null) {
                        otherRoutes.add(route);
                        continue;
                    }
                }
                entries.put(route, entry);
                switch (entry.kind()) {
                    case RULE -> builder.rule(entry.host(), entry.path(), route);
                    case DEFAULT -> {
                        for (HostMatch host : entry.defaultForHosts()) {
                            builder.hostDefault(host, route);
                        }
                        if (entry.modelDefault()) {
                            builder.defaultTarget(route);
                        }
                    }
                    case NOT_FOUND -> builder.notFound(route);
                }
            }
            this.table = builder.build();
        }

        /** What a route's metadata says it indexes to; null for a route that is not one of ours. */
        private static Entry entry(Map<String, Object> metadata) {
            Kind kind = IngressRouteDefinitions.kindOf(metadata);
            if (kind == null) {
                return null;
            }
            return switch (kind) {
                case RULE -> new Entry(kind, hostMatch(metadata.get(IngressRouteDefinitions.HOST)),
                        new PathMatch(PathMatch.Type.valueOf(String.valueOf(
                                metadata.get(IngressRouteDefinitions.PATH_TYPE))),
                                String.valueOf(metadata.get(IngressRouteDefinitions.PATH))),
                        List.of(), false);
                case DEFAULT -> {
                    List<HostMatch> hosts = new ArrayList<>();
                    if (metadata.get(IngressRouteDefinitions.DEFAULT_FOR_HOSTS) instanceof Collection<?> patterns) {
                        for (Object host : patterns) {
                            hosts.add(hostMatch(host));
                        }
                    }
                    yield new Entry(kind, null, null, List.copyOf(hosts), Boolean.parseBoolean(
                            String.valueOf(metadata.get(IngressRouteDefinitions.MODEL_DEFAULT))));
                }
                case NOT_FOUND -> new Entry(kind, null, null, List.of(), false);
            };
        }

        private static HostMatch hostMatch(Object pattern) {
            String value = String.valueOf(pattern);
            return value.equals("*") ? HostMatch.ANY : HostMatch.of(value);
        }

        Mono<Route> find(ServerWebExchange exchange) {
            Mono<Route> indexed = Mono.fromSupplier(() -> table.lookup(
                    exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST),
                    exchange.getRequest().getPath().value()));
            if (otherRoutes.isEmpty()) {
                return indexed;
            }
            return Flux.fromIterable(otherRoutes)
                    .filterWhen(route -> route.getPredicate().apply(exchange))
                    .next()
                    .switchIfEmpty(indexed);
        }
    }
}
