package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.gateway.route.RoundRobinBalancer;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@code custom-http-errors}, as ingress-nginx serves it ({@code proxy_intercept_errors} with an {@code error_page}
 * per code): when a route's response has one of its Ingress's intercepted statuses, whether the upstream answered it
 * or the gateway did (503 for a Service without endpoints, or with an open circuit), the client gets the error
 * backend's answer instead, and nothing of the original response (its body, headers or cookies).
 *
 * <p>The error backend is the Ingress's {@code default-backend} annotation's Service when it has endpoints, else the
 * gateway's default backend ({@code ingress-gateway.default-backend-service} or the catch-all Ingress) when there is
 * one with endpoints; with neither, the original response goes through unchanged. ingress-nginx would send it to its
 * own built-in backend, which answers 404 to everything; passing the response through tells the client more.
 *
 * <p>The response is replaced before anything of it is written: this filter wraps the response the rest of the chain
 * writes to ({@link ErrorPageResponse}), ordered before the filter that writes the upstream's body
 * ({@link NettyWriteResponseFilter}) and before the upstream guard, so the guard's own 503 is intercepted too. The
 * error backend is called with a client of this filter's own, outside the upstream's guard: the original upstream's
 * answer has already counted once in its guard, and the error page never counts in it.
 */
@Component
public class ErrorPageFilter implements GlobalFilter, Ordered {

    /** Before {@link PathRewriteFilter}, so the request seen here is the one the client sent. */
    public static final int ORDER = PathRewriteFilter.ORDER - 1;

    private final ErrorPageClient client;

    public ErrorPageFilter(GatewayRouteModel routeModel, RoundRobinBalancer balancer,
                           ObjectProvider<HttpClient> httpClient,
                           ObjectProvider<List<HttpHeadersFilter>> headersFilters,
                           IngressGatewayProperties properties) {
        this.client = new ErrorPageClient(routeModel, balancer, httpClient, headersFilters,
                properties.resilience().connectTimeout(), properties.resilience().readTimeout());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : ServedRoute.of(exchange, route);
        ErrorPagePolicy policy = served == null ? null : served.policy(ErrorPagePolicy.class);
        if (policy == null || policy.interceptedCodes().isEmpty()) {
            return chain.filter(exchange); // most routes: one attribute read and one map probe
        }
        if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            return chain.filter(exchange); // a refused upgrade is answered as it is: no page replaces it
        }
        ErrorPageResponse response = new ErrorPageResponse(exchange, served, policy, client);
        return chain.filter(exchange.mutate().response(response).build());
    }
}
