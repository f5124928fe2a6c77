package io.ingressgateway.resilience;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;

import io.ingressgateway.gateway.accesslog.AccessLogRecord;
import io.ingressgateway.gateway.filter.ProxyHeadersFilter;
import io.ingressgateway.gateway.filter.UpstreamRoutingFilter;
import io.ingressgateway.model.Endpoint;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.RemoveXForwardedHeadersFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

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
    private final boolean accessLogged;

    /**
     * @param externalNameResolver the resolver whose addresses ExternalName requests may connect to: never null, so
     *                             that no ExternalName request can reach the plain client
     */
    public GuardedNettyRoutingFilter(HttpClient httpClient,
                                     ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider,
                                     HttpClientProperties properties, ExternalNameResolverGroup externalNameResolver) {
        this(httpClient, headersFiltersProvider, properties, externalNameResolver, false);
    }

    /** @param accessLogged whether the access log is on: each attempt is then recorded in the request's line */
    public GuardedNettyRoutingFilter(HttpClient httpClient,
                                     ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider,
                                     HttpClientProperties properties, ExternalNameResolverGroup externalNameResolver,
                                     boolean accessLogged) {
        super(httpClient, headersFiltersProvider, properties);
        this.httpClient = httpClient;
        this.externalNameClient = httpClient.resolver(externalNameResolver);
        this.accessLogged = accessLogged;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!accessLogged) {
            return super.filter(exchange, chain);
        }
        Endpoint endpoint = exchange.getAttribute(UpstreamRoutingFilter.ENDPOINT_ATTR);
        AccessLogRecord record = endpoint == null || ServerWebExchangeUtils.isAlreadyRouted(exchange) ? null
                : AccessLogRecord.of(exchange);
        if (record == null) {
            return super.filter(exchange, chain);
        }
        // Every attempt, retries included, passes here: nginx's $upstream_addr, _status, _response_time and _length.
        int attempt = record.upstreamAttemptStarts(endpoint.toString());
        return super.filter(exchange, chain)
                .doOnSuccess(done -> {
                    HttpClientResponse answer = exchange.getAttribute(CLIENT_RESPONSE_ATTR);
                    if (answer != null) {
                        String length = answer.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
                        record.upstreamAnswered(attempt, answer.status().code(), contentLength(length));
                    }
                })
                .doOnError(error -> {
                    HttpStatus status = UpstreamFailure.of(error).status();
                    record.upstreamFailed(attempt, status == null ? 0 : status.value());
                });
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
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
