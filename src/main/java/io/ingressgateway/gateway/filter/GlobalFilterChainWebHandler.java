package io.ingressgateway.gateway.filter;

import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;

/**
 * The gateway's filter chain handler without the per-request sort. The stock handler combines the global filters with
 * the route's own and sorts them on every request (or caches the result per {@link Route}, keyed by the route's full
 * hash and kept until the next refresh). Ingress routes carry no filters of their own, so their chain is the same
 * sorted list of global filters for every route: it is computed once and shared. Routes with filters of their own
 * (configured in properties) are combined as the stock handler combines them.
 */
public class GlobalFilterChainWebHandler extends FilteringWebHandler {

    private volatile List<GatewayFilter> globalOnly;
    private final List<GlobalFilter> globalFilters;

    public GlobalFilterChainWebHandler(List<GlobalFilter> globalFilters, boolean routeFilterCacheEnabled) {
        super(globalFilters, routeFilterCacheEnabled);
        this.globalFilters = List.copyOf(globalFilters);
    }

    /** The global filters this chain runs. */
    public List<GlobalFilter> globalFilters() {
        return globalFilters;
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
