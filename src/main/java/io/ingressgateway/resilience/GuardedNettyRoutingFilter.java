package io.ingressgateway.resilience;

import io.ingressgateway.gateway.filter.ProxyHeadersFilter;
import io.ingressgateway.gateway.filter.UpstreamRoutingFilter;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.http.client.HttpClient;

/**
 * The gateway's HTTP routing filter, with each guarded request sent through its guard's client: the guard's connect
 * timeout and read timeout instead of the global ones. Everything else is the stock filter's, except one saving in
 * the headers sent upstream (below).
 *
 * <p>The gateway's {@code Forwarded} and {@code X-Forwarded-*} removal filters strip those headers from clients it does
 * not trust (all, here), each by a full copy of the request's headers and an address match per request. When
 * {@link ProxyHeadersFilter} is among the headers filters it replaces or removes every one of those headers itself, so
 * the two are left out of this filter's list.
 *
 * <p>A request to an ExternalName upstream goes through a client whose resolver judges every address before
 * connecting ({@link ExternalNameResolverGroup}); requests to pod endpoints never do.
 */
public class GuardedNettyRoutingFilter extends NettyRoutingFilter {

    private final HttpClient httpClient;
    /** The client of ExternalName upstreams: {@link #httpClient} whose every connection is judged first. */
    private final HttpClient externalNameClient;
    private volatile List<HttpHeadersFilter> headersFilters;
    private final UpstreamTransports transports = new UpstreamTransports();

    /**
     * @param externalNameResolver the resolver whose addresses ExternalName requests may connect to: never null, so
     *                             that no ExternalName request can reach the plain client
     */
    public GuardedNettyRoutingFilter(HttpClient httpClient,
                                     ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider,
                                     HttpClientProperties properties, ExternalNameResolverGroup externalNameResolver) {
        super(httpClient, headersFiltersProvider, properties);
        this.httpClient = httpClient;
        this.externalNameClient = httpClient.resolver(externalNameResolver);
    }

    @Override
    public List<HttpHeadersFilter> getHeadersFilters() {
        List<HttpHeadersFilter> filters = headersFilters;
        if (filters == null) {
            filters = withoutSupersededFilters(super.getHeadersFilters());
            headersFilters = filters;
        }
        return filters;
    }

    /** The filters minus the forwarded-header removals, when {@link ProxyHeadersFilter} does their work. */
    static List<HttpHeadersFilter> withoutSupersededFilters(List<HttpHeadersFilter> filters) {
        if (filters == null || filters.stream().noneMatch(ProxyHeadersFilter.class::isInstance)) {
            return filters;
        }
        return filters.stream()
                .filter(filter -> !(filter instanceof RemoveForwardedHeadersFilter)
                        && !(filter instanceof RemoveXForwardedHeadersFilter))
                .toList();
    }

    @Override
    protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
        GuardedCall call = exchange.getAttribute(GuardedCall.ATTR);
        boolean externalName = exchange.getAttribute(UpstreamRoutingFilter.EXTERNAL_NAME_ATTR) != null;
        if (call == null) {
            return externalName ? externalNameClient : super.getHttpClient(route, exchange);
        }
        // A guarded request is an Ingress route's, whose metadata never sets the stock per-route connect timeout:
        // the guard's timeouts apply, and the route's metadata (cold with thousands of routes) is not read.
        HttpClient guarded = call.guard().httpClient(externalName ? externalNameClient : httpClient);
        // backend-protocol HTTPS, GRPC or GRPCS: the same guarded client, speaking that protocol.
        UpstreamTransport transport = transports.of(exchange, route);
        return transport == null ? guarded : transport.client(guarded);
    }
}
