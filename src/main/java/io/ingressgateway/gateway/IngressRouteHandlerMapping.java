package io.ingressgateway.gateway;

import io.ingressgateway.gateway.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.pipeline.IdentityDiff;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>The index holds the Ingress routes {@link IngressRouteLocator} has now, and is rebuilt as soon as they change,
 * on the updating thread: a changed Ingress is served from that moment, without waiting for the gateway's own
 * refresh, which collects and sorts every route (with 10,000 Ingresses, most of a change's time) and follows right
 * after for everything else that reads routes (Actuator's {@code /actuator/gateway/routes}, route metrics). Routes not
 * made from Ingress objects (configured in properties, say) carry no Ingress metadata and come from the gateway's
 * caching locator, as of its latest refresh ({@link RefreshRoutesResultEvent}): they are tried first, by predicate,
 * as the stock mapping would.
 */
public class IngressRouteHandlerMapping extends RoutePredicateHandlerMapping
        implements ApplicationListener<RefreshRoutesResultEvent> {

    private static final Logger log = LoggerFactory.getLogger(IngressRouteHandlerMapping.class);

    private final RouteLocator routeLocator;
    private final IngressRouteLocator ingressRoutes;
    private final AtomicReference<RouteIndex> index = new AtomicReference<>();
    /** The routes not made from Ingress objects as of the gateway's latest refresh; null before the first. */
    private volatile List<Route> otherRoutes;

    public IngressRouteHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
                                      IngressRouteLocator ingressRoutes, GlobalCorsProperties globalCorsProperties,
                                      Environment environment) {
        super(webHandler, routeLocator, globalCorsProperties, environment);
        this.routeLocator = routeLocator;
        this.ingressRoutes = ingressRoutes;
        ingressRoutes.onChange(this::reindex);
    }

    @Override
    public void onApplicationEvent(RefreshRoutesResultEvent event) {
        if (!event.isSuccess()) {
            return; // the locator keeps its previous routes, and so do we
        }
        routeLocator.getRoutes().filter(IngressRouteHandlerMapping::notFromIngress).collectList().subscribe(
                others -> {
                    List<Route> before = otherRoutes;
                    if (before == null || before.size() != others.size()
                            || IdentityDiff.between(before, others).prefix() != others.size()) {
                        otherRoutes = List.copyOf(others);
                        reindex();
                    }
                },
                error -> log.error("Could not index the gateway's routes; keeping the previous index", error));
    }

    /**
     * Indexes the routes not made from Ingress objects, then the Ingress routes the Ingress locator has now (never
     * those of a refresh: a refresh that started before the latest update would hand over older ones). Nothing before
     * the first refresh, when the other routes are not known yet: requests then index what the gateway holds.
     */
    private synchronized void reindex() { // entries pass from one index to the next: one build at a time
        List<Route> others = otherRoutes;
        if (others == null) {
            return;
        }
        long start = System.nanoTime();
        List<Route> ingress = ingressRoutes.routes();
        List<Route> routes = ingress;
        if (!others.isEmpty()) {
            routes = new ArrayList<>(others.size() + ingress.size());
            routes.addAll(others);
            routes.addAll(ingress);
        }
        index.set(new RouteIndex(routes, index.get()));
        log.debug("Indexed {} routes in {} µs", routes.size(), (System.nanoTime() - start) / 1000);
    }

    /** Whether a route is not one of {@link IngressRouteLocator}'s, all of which say their kind in their metadata. */
    private static boolean notFromIngress(Route route) {
        return !route.getMetadata().containsKey(IngressRouteDefinitions.KIND);
    }

    private static List<Route> notFromIngresses(List<Route> routes) {
        return routes.stream().filter(IngressRouteHandlerMapping::notFromIngress).toList();
    }



    @Override
    protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
        RouteIndex current = index.get();
        Mono<RouteIndex> ready = current != null ? Mono.just(current)
                // Before the first refresh event: learn the other routes from what the gateway holds, once.
                : routeLocator.getRoutes().collectList().map(routes -> {
                    if (otherRoutes == null) {
                        otherRoutes = notFromIngresses(routes);
                    }
                    reindex();
                    return index.get();
                });
        return ready.flatMap(routeIndex -> routeIndex.find(exchange)).map(route -> {
            validateRoute(route, exchange);
            return route;
        });
    }

    /**
     * The routes of one refresh, indexed. A refresh after one Ingress changed hands over the same route instances
     * but one, in the same order: the index is built from the previous one, reusing the rules of every host whose
     * routes lie in the common start or end of both route lists ({@link IdentityDiff}) and reading the metadata only of
     * routes it has not indexed before. With 10,000 Ingresses, reading every route's metadata and regrouping every
     * route by host was most of a refresh.
     */
    static final class RouteIndex {

        /**
         * What one route indexes to, and the route's state for the request filters; a null kind (and state) for a
         * route that is not one of ours.
         */
        private record Entry(Kind kind, HostMatch host, PathMatch path, List<HostMatch> defaultForHosts,
                             boolean modelDefault, RouteState state) {
        }

        /**
         * Routes {@code start} (inclusive) to {@code end} of the list in the table: consecutive rules of one host,
         * with their rules as the table holds them, or one other route.
         */
        private record Item(int start, int end, HostMatch host, RouteTable.HostRules<RouteState> rules,
                            Entry single) {

            Item shifted(int by) {
                return by == 0 ? this : new Item(start + by, end + by, host, rules, single);
            }
        }

        private static final Entry OTHER = new Entry(null, null, null, List.of(), false, null);

        private final List<Route> routes;
        /** Every route of {@link #routes} with its entry; handed on to, and changed by, the next index. */
        private final Map<Route, Entry> entries;
        private final List<Item> items;
        private final List<Route> otherRoutes = new ArrayList<>();
        private final RouteTable<RouteState> table;

        RouteIndex(Collection<Route> routes) {
            this(routes, null);
        }

        /**
         * @param previous the index of the previous refresh, or null; its entries are taken over (it must not be the
         *                 previous of another index)
         */
        RouteIndex(Collection<Route> routes, RouteIndex previous) {
            this.routes = List.copyOf(routes);
            List<Route> before = previous == null ? List.of() : previous.routes;
            List<Item> beforeItems = previous == null ? List.of() : previous.items;
            IdentityDiff diff = IdentityDiff.between(before, this.routes);
            int shift = this.routes.size() - before.size();
            // Items wholly in the common start stay as they are, those wholly in the common end move by the shift.
            int kept = 0;
            while (kept < beforeItems.size() && beforeItems.get(kept).end() <= diff.prefix()) {
                kept++;
            }
            int keptAtEnd = 0;
            while (keptAtEnd < beforeItems.size() - kept
                    && beforeItems.get(beforeItems.size() - 1 - keptAtEnd).start() >= before.size() - diff.suffix()) {
                keptAtEnd++;
            }
            int from = kept == 0 ? 0 : beforeItems.get(kept - 1).end();
            int to = keptAtEnd == 0 ? this.routes.size()
                    : beforeItems.get(beforeItems.size() - keptAtEnd).start() + shift;

            // Only a cache (an entry follows from a route's metadata alone): a route missing from it is read again.
            entries = previous == null ? new IdentityHashMap<>() : previous.entries;
            List<Route> region = this.routes.subList(from, to);
            List<Route> regionBefore = before.subList(from, to - shift);
            if (!regionBefore.isEmpty()) {
                Set<Route> staying = Collections.newSetFromMap(new IdentityHashMap<>(region.size()));
                staying.addAll(region);
                for (Route route : regionBefore) {
                    if (!staying.contains(route)) {
                        entries.remove(route);
                    }
                }
            }

            List<Item> items = new ArrayList<>(beforeItems.subList(0, kept));
            int runStart = -1;
            HostMatch runHost = null;
            List<RouteTable.Rule<RouteState>> run = new ArrayList<>();
            for (int i = from; i < to; i++) {
                Route route = this.routes.get(i);
                Entry entry = entries.computeIfAbsent(route, RouteIndex::entry);
                if (entry.kind() == Kind.RULE && entry.host().equals(runHost)) {
                    run.add(new RouteTable.Rule<>(entry.path(), entry.state()));
                    continue;
                }
                if (runHost != null) {
                    items.add(new Item(runStart, i, runHost, new RouteTable.HostRules<>(run, null), null));
                    run.clear();
                    runHost = null;
                }
                if (entry.kind() == Kind.RULE) {
                    runStart = i;
                    runHost = entry.host();
                    run.add(new RouteTable.Rule<>(entry.path(), entry.state()));
                } else {
                    items.add(new Item(i, i + 1, null, null, entry));
                }
            }
            if (runHost != null) {
                items.add(new Item(runStart, to, runHost, new RouteTable.HostRules<>(run, null), null));
            }
            for (Item item : beforeItems.subList(beforeItems.size() - keptAtEnd, beforeItems.size())) {
                items.add(item.shifted(shift));
            }
            this.items = items;

            RouteTable.Builder<RouteState> builder = RouteTable.builder();
            for (Item item : items) {
                if (item.single() == null) {
                    builder.host(item.host(), item.rules());
                    continue;
                }
                Route route = this.routes.get(item.start());
                Entry entry = item.single();
                if (entry.kind() == null) {
                    otherRoutes.add(route);
                    continue;
                }
                switch (entry.kind()) {
                    case RULE -> builder.rule(entry.host(), entry.path(), entry.state());
                    case DEFAULT -> {
                        for (HostMatch host : entry.defaultForHosts()) {
                            builder.hostDefault(host, entry.state());
                        }
                        if (entry.modelDefault()) {
                            builder.defaultTarget(entry.state());
                        }
                    }
                    case NOT_FOUND -> builder.notFound(entry.state());
                }
            }
            this.table = builder.build();
        }

        /** What a route's metadata says it indexes to, with a new state for the route. */
        private static Entry entry(Route route) {
            Map<String, Object> metadata = route.getMetadata();
            Kind kind = IngressRouteDefinitions.kindOf(metadata);
            if (kind == null) {
                return OTHER;
            }
            RouteState state = new RouteState(route);
            return switch (kind) {
                case RULE -> new Entry(kind, hostMatch(metadata.get(IngressRouteDefinitions.HOST)),
                        new PathMatch(PathMatch.Type.valueOf(String.valueOf(
                                metadata.get(IngressRouteDefinitions.PATH_TYPE))),
                                String.valueOf(metadata.get(IngressRouteDefinitions.PATH))),
                        List.of(), false, state);
                case DEFAULT -> {
                    List<HostMatch> hosts = new ArrayList<>();
                    if (metadata.get(IngressRouteDefinitions.DEFAULT_FOR_HOSTS) instanceof Collection<?> patterns) {
                        for (Object host : patterns) {
                            hosts.add(hostMatch(host));
                        }
                    }
                    yield new Entry(kind, null, null, List.copyOf(hosts), Boolean.parseBoolean(
                            String.valueOf(metadata.get(IngressRouteDefinitions.MODEL_DEFAULT))), state);
                }
                case NOT_FOUND -> new Entry(kind, null, null, List.of(), false, state);
            };
        }

        private static HostMatch hostMatch(Object pattern) {
            String value = String.valueOf(pattern);
            return value.equals("*") ? HostMatch.ANY : HostMatch.of(value);
        }

        /** The request's route; for an Ingress route, the route's state goes with the request ({@link RouteState}). */
        Mono<Route> find(ServerWebExchange exchange) {
            Mono<Route> indexed = Mono.fromSupplier(() -> {
                RouteState state = table.lookup(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST),
                        exchange.getRequest().getPath().value());
                if (state == null) {
                    return null;
                }
                exchange.getAttributes().put(RouteState.ATTR, state);
                return state.route();
            });
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
