package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.gateway.route.RoundRobinBalancer;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Fetches error pages from the error backend as ingress-nginx's {@code @custom_<upstream>_<code>} locations do:
 * the client's method, path {@code /} with the client's query (nginx's {@code rewrite (.*) / break}), the headers
 * the upstream would have received plus {@link ErrorBackendHeaders}, and the client's Host. The request has no body:
 * the client's was streamed to the upstream and is gone (nginx, which buffers it, sends it again).
 *
 * <p>The error backend's answer is relayed as it is, status included: ingress-nginx documents that it does not change
 * that response and that the error backend is expected to answer with the right status, not 200.
 */
final class ErrorPageClient {

    /** Response headers that concern one connection, not the page: never relayed. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "te", "trailer", "upgrade");

    private final GatewayRouteModel routeModel;
    private final RoundRobinBalancer balancer;
    private final ObjectProvider<HttpClient> httpClient;
    private final ObjectProvider<List<HttpHeadersFilter>> headersFilters;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private volatile HttpClient client;

    ErrorPageClient(GatewayRouteModel routeModel, RoundRobinBalancer balancer, ObjectProvider<HttpClient> httpClient,
                    ObjectProvider<List<HttpHeadersFilter>> headersFilters, Duration connectTimeout,
                    Duration readTimeout) {
        this.routeModel = routeModel;
        this.balancer = balancer;
        this.httpClient = httpClient;
        this.headersFilters = headersFilters;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /**
     * The endpoint to fetch an error page from: the Ingress's {@code default-backend} when it has endpoints, else the
     * gateway's default backend when it has some; null when neither has (the response then goes through). ExternalName
     * upstreams are never error backends: their addresses are judged by the upstream guards' resolver only.
     */
    Endpoint errorBackend(ErrorPagePolicy policy) {
        Endpoint endpoint = pick(UpstreamKey.defaultBackendOf(policy));
        return endpoint != null ? endpoint : pick(routeModel.model().defaultUpstreamKey());
    }

    private Endpoint pick(UpstreamKey key) {
        Upstream upstream = key == null ? null : routeModel.upstream(key);
        if (upstream == null || upstream.externalName() || upstream.endpoints().isEmpty()) {
            return null;
        }
        List<Endpoint> endpoints = upstream.endpoints();
        return endpoints.get(RoundRobinBalancer.nextIndex(balancer.position(key), endpoints.size()));
    }

    /** Fetches the error page for {@code code} and writes it to {@code response}; 502 when the backend fails. */
    Mono<Void> serve(ServerWebExchange original, ServerHttpResponse response, ServedRoute served, int code,
                     Endpoint errorBackend) {
        ServerHttpRequest request = original.getRequest();
        HttpHeaders headers = requestHeaders(original, served, code);
        String query = request.getURI().getRawQuery();
        String url = "http://" + errorBackend + "/" + (query == null ? "" : "?" + query);
        HttpMethod method = request.getMethod();
        return client()
                .headers(sent -> headers.forEach((name, values) -> sent.set(name, values)))
                .request(io.netty.handler.codec.http.HttpMethod.valueOf(method.name()))
                .uri(url)
                .response((answer, body) -> relay(answer, body, response))
                .then()
                .onErrorResume(error -> {
                    if (response.isCommitted()) {
                        return Mono.error(error); // the page had begun: the connection is cut, as for any upstream
                    }
                    response.getHeaders().clear();
                    return GatewayErrorResponses.write(request, response, HttpStatus.BAD_GATEWAY,
                            "The error page service did not answer.");
                });
    }

    /**
     * What the upstream would have received (the gateway's header filters: no hop-by-hop headers, the forwarding
     * headers, the request id), without the body's headers, with the client's Host and the error headers.
     */
    private HttpHeaders requestHeaders(ServerWebExchange original, ServedRoute served, int code) {
        ServerHttpRequest request = original.getRequest();
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(HttpHeadersFilter.filterRequest(headersFilters.getObject(), original));
        headers.remove(HttpHeaders.CONTENT_LENGTH);
        headers.remove(HttpHeaders.TRANSFER_ENCODING);
        headers.remove(HttpHeaders.CONTENT_TYPE);
        headers.remove(HttpHeaders.EXPECT);
        String host = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (host != null) {
            headers.set(HttpHeaders.HOST, host);
        }
        if (request.getMethod() != HttpMethod.GET && request.getMethod() != HttpMethod.HEAD) {
            headers.setContentLength(0);
        }
        String uri = request.getURI().getRawPath() + (request.getURI().getRawQuery() == null ? ""
                : "?" + request.getURI().getRawQuery());
        ErrorBackendHeaders.set(headers, code, served, request.getHeaders().getFirst(HttpHeaders.ACCEPT), uri,
                original);
        return headers;
    }

    /** The error backend's status, headers and body, in place of everything the route's response had. */
    private static Mono<Void> relay(HttpClientResponse answer, ByteBufFlux body, ServerHttpResponse response) {
        HttpHeaders headers = response.getHeaders();
        headers.clear();
        for (Map.Entry<String, String> header : answer.responseHeaders()) {
            if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                headers.add(header.getKey(), header.getValue());
            }
        }
        response.setStatusCode(HttpStatusCode.valueOf(answer.status().code()));
        NettyDataBufferFactory buffers = response.bufferFactory() instanceof NettyDataBufferFactory netty ? netty
                : new NettyDataBufferFactory(ByteBufAllocator.DEFAULT);
        return response.writeWith(body.retain().map(buffers::wrap));
    }

    private HttpClient client() {
        HttpClient current = client;
        if (current == null) {
            // Built on first use: the gateway's client (its event loops, pool and proxy settings), with the upstream
            // timeouts every route gets by default (ingress-gateway.resilience).
            current = httpClient.getObject()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                    .responseTimeout(readTimeout)
                    .followRedirect(false);
            client = current;
        }
        return current;
    }
}
