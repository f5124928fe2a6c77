package io.ingressgateway.gateway.lookup;

import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IdentityDiff;
import java.util.ArrayList;
import java.util.List;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The routes of one refresh, indexed: the served routes made from the route model in a {@link RouteTable} (host by map
 * lookup, then the host's rules by path), and the gateway's other routes, tried first by predicate as the stock mapping
 * would.
 *
 * <p>A refresh after one Ingress changed hands over the same served routes but one, in the same order: the index is
 * built from the previous one, reusing the rules of every host whose routes lie in the common start or end of both
 * lists ({@link IdentityDiff}), so an index costs in proportion to the change rather than to every route.
 */
final class RouteIndex {

    /**
     * Served routes {@code start} (inclusive) to {@code end} of the list in the table: consecutive rules of one host,
     * with their rules as the table holds them, or one default or not-found route.
     */
    private record Item(int start, int end, HostMatch host, RouteTable.HostRules<ServedRoute> rules,
                        ServedRoute single) {

        Item shifted(int by) {
            return by == 0 ? this : new Item(start + by, end + by, host, rules, single);
        }
    }

    private final List<ServedRoute> routes;
    private final List<Item> items;
    private final List<Route> otherRoutes;
    private final RouteTable<ServedRoute> table;

    RouteIndex(List<Route> otherRoutes, List<ServedRoute> routes) {
        this(otherRoutes, routes, null);
    }

    /**
     * @param otherRoutes the gateway's routes not made from the route model, in order
     * @param routes      the served routes, in precedence order
     * @param previous    the index of the previous refresh, or null
     */
    RouteIndex(List<Route> otherRoutes, List<ServedRoute> routes, RouteIndex previous) {
        this.otherRoutes = List.copyOf(otherRoutes);
        this.routes = List.copyOf(routes);
        List<ServedRoute> before = previous == null ? List.of() : previous.routes;
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

        List<Item> items = new ArrayList<>(beforeItems.subList(0, kept));
        int runStart = -1;
        HostMatch runHost = null;
        List<RouteTable.Rule<ServedRoute>> run = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ServedRoute served = this.routes.get(i);
            HostMatch host = served.kind() == Kind.RULE ? served.rule().host() : null;
            if (host != null && host.equals(runHost)) {
                run.add(new RouteTable.Rule<>(served.rule().path(), served));
                continue;
            }
            if (runHost != null) {
                items.add(new Item(runStart, i, runHost, new RouteTable.HostRules<>(run, null), null));
                run.clear();
                runHost = null;
            }
            if (host != null) {
                runStart = i;
                runHost = host;
                run.add(new RouteTable.Rule<>(served.rule().path(), served));
            } else {
                items.add(new Item(i, i + 1, null, null, served));
            }
        }
        if (runHost != null) {
            items.add(new Item(runStart, to, runHost, new RouteTable.HostRules<>(run, null), null));
        }
        for (Item item : beforeItems.subList(beforeItems.size() - keptAtEnd, beforeItems.size())) {
            items.add(item.shifted(shift));
        }
        this.items = items;

        RouteTable.Builder<ServedRoute> builder = RouteTable.builder();
        for (Item item : items) {
            ServedRoute served = item.single();
            if (served == null) {
                builder.host(item.host(), item.rules());
                continue;
            }
            // A single is never a rule: rules come in runs of their host.
            if (served.kind() == Kind.DEFAULT) {
                for (HostMatch host : served.definition().defaultForHosts()) {
                    builder.hostDefault(host, served);
                }
                if (served.definition().modelDefault()) {
                    builder.defaultTarget(served);
                }
            } else {
                builder.notFound(served);
            }
        }
        this.table = builder.build();
    }

    /** The request's route; for a served route, it goes with the request ({@link ServedRoute#ATTR}). */
    Mono<Route> find(ServerWebExchange exchange) {
        Mono<Route> indexed = Mono.fromSupplier(() -> {
            ServedRoute served = table.lookup(exchange.getRequest().getHeaders().getFirst(HttpHeaders.HOST),
                    exchange.getRequest().getPath().value());
            if (served == null) {
                return null;
            }
            exchange.getAttributes().put(ServedRoute.ATTR, served);
            return served.route();
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
