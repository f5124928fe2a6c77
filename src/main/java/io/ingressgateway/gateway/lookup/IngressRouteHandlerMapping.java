package io.ingressgateway.gateway.lookup;

import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.model.IdentityDiff;
import java.util.List;
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
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The gateway's handler mapping with an index: each request's route is found in a {@link RouteIndex} (host by map
 * lookup, then that host's rules) instead of testing every route's predicate in turn, and the request carries the
 * route's {@link io.ingressgateway.gateway.route.ServedRoute}. Everything else (route attribute, filters, metrics,
 * CORS, the management port check) is the stock mapping's; CORS pre-flight requests are routed by
 * {@link PreflightRoutingWebFilter} through {@link #handlerWithoutCors}.
 *
 * <p>The index holds the Ingress routes {@link IngressRouteLocator} has now, and is rebuilt as soon as they change,
 * on the updating thread: a changed Ingress is served from that moment, without waiting for the gateway's own
 * refresh, which collects and sorts every route and follows right after for everything else that reads routes
 * (Actuator's {@code /actuator/gateway/routes}, route metrics). Routes not made from Ingress objects (configured in
 * properties, say) come from the gateway's caching locator, as of its latest refresh
 * ({@link RefreshRoutesResultEvent}): they are tried first, by predicate, as the stock mapping would.
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

    /**
     * The request's handler without the stock CORS processing, which answers a pre-flight request itself (an empty
     * 200 when no CORS configuration applies); empty when this mapping has none (the management port).
     */
    public Mono<?> handlerWithoutCors(ServerWebExchange exchange) {
        return getHandlerInternal(exchange);
    }

    @Override
    public void onApplicationEvent(RefreshRoutesResultEvent event) {
        if (!event.isSuccess()) {
            return; // the locator keeps its previous routes, and so do we
        }
        routeLocator.getRoutes().filter(route -> !IngressRouteLocator.isIngressRoute(route)).collectList().subscribe(
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
    private synchronized void reindex() { // each index is built from the one before: one build at a time
        List<Route> others = otherRoutes;
        if (others == null) {
            return;
        }
        long start = System.nanoTime();
        RouteIndex built = new RouteIndex(others, ingressRoutes.served(), index.get());
        index.set(built);
        log.debug("Indexed {} routes in {} µs", others.size() + ingressRoutes.served().size(),
                (System.nanoTime() - start) / 1000);
    }

    @Override
    protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
        RouteIndex current = index.get();
        Mono<RouteIndex> ready = current != null ? Mono.just(current)
                // Before the first refresh event: learn the other routes from what the gateway holds, once.
                : routeLocator.getRoutes().collectList().map(routes -> {
                    if (otherRoutes == null) {
                        otherRoutes = routes.stream().filter(route -> !IngressRouteLocator.isIngressRoute(route))
                                .toList();
                    }
                    reindex();
                    return index.get();
                });
        return ready.flatMap(routeIndex -> routeIndex.find(exchange)).map(route -> {
            validateRoute(route, exchange);
            return route;
        });
    }
}
