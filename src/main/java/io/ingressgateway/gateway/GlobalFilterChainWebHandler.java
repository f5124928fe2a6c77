package io.ingressgateway.gateway;

import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;

/**
 * The gateway's filter chain handler without the per-request sort. The stock handler combines the global filters with
 * the route's own and sorts them on every request (or caches the result per {@link Route}, keyed by the route's full
 * hash and kept until the next refresh). Ingress routes carry no filters of their own, so their chain is the same
 * sorted list of global filters for every route: it is computed once and shared. Routes with filters of their own
 * (configured in properties) are combined as before.
 */
public class GlobalFilterChainWebHandler extends FilteringWebHandler {

    private volatile List<GatewayFilter> globalOnly;
    /** Global filters that keep per-route state and must hear of refreshes; not beans, so told through this one. */
    private final List<RouteTimerFilter> routeTimers;
    private final List<GlobalFilter> globalFilters;

    public GlobalFilterChainWebHandler(List<GlobalFilter> globalFilters, boolean routeFilterCacheEnabled) {
        super(globalFilters, routeFilterCacheEnabled);
        this.globalFilters = List.copyOf(globalFilters);
        this.routeTimers = globalFilters.stream().filter(RouteTimerFilter.class::isInstance)
                .map(RouteTimerFilter.class::cast).toList();
    }

    /** The global filters this chain runs (for inspection). */
    public List<GlobalFilter> globalFilters() {
        return globalFilters;
    }

    /** Passes a finished route refresh on to the filters that keep per-route state. */
    public void routesRefreshed(RefreshRoutesResultEvent event) {
        routeTimers.forEach(filter -> filter.onApplicationEvent(event));
    }

    @Override
    protected List<GatewayFilter> getCombinedFilters(Route route) {
        if (!route.getFilters().isEmpty()) {
            return super.getCombinedFilters(route);
        }
        List<GatewayFilter> filters = globalOnly;
        if (filters == null) {
            // Global filters are fixed at construction, so any route without filters yields the same chain.
            filters = List.copyOf(getAllFilters(route));
            globalOnly = filters;
        }
        return filters;
    }
}
