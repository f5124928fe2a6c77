package io.ingressgateway.resilience;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;
import reactor.netty.http.client.HttpClient;

/**
 * The gateway's HTTP routing filter, with each guarded request sent through its guard's client: the guard's connect
 * timeout and read timeout instead of the global ones. Everything else is the stock filter's.
 */
public class GuardedNettyRoutingFilter extends NettyRoutingFilter {

    public GuardedNettyRoutingFilter(HttpClient httpClient,
                                     ObjectProvider<List<HttpHeadersFilter>> headersFiltersProvider,
                                     HttpClientProperties properties) {
        super(httpClient, headersFiltersProvider, properties);
    }

    @Override
    protected HttpClient getHttpClient(Route route, ServerWebExchange exchange) {
        HttpClient client = super.getHttpClient(route, exchange);
        GuardedCall call = exchange.getAttribute(GuardedCall.ATTR);
        return call == null ? client : call.guard().httpClient(client);
    }
}
