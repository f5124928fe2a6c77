package io.ingressgateway.resilience;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.filter.UpstreamRoutingFilter;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Sends an admitted request to its upstream: retries a connection failure on another endpoint when that is safe,
 * tells the circuit breaker how the call went, and answers the client when the upstream could not: 504 for a connect
 * or read timeout, 502 for a refused or dropped connection, 503 when the connection pool is exhausted.
 *
 * <p>Runs right after {@link UpstreamRoutingFilter} has picked the endpoint, around the HTTP routing filter, so the
 * call it judges ends when the upstream's response headers arrive (a slow call is a slow upstream, not a slow client
 * reading a large body).
 *
 * <p>Retries follow ingress-nginx's {@code proxy_next_upstream error timeout} for connection errors only: a request
 * is sent again only when it never reached the upstream (refused, unreachable, connect timeout), only for idempotent
 * methods without a body, at most {@code retries} times, each time to the endpoint after the failed one that was not
 * tried yet (or, when all were, simply the next one).
 */
public class UpstreamAttemptFilter implements GlobalFilter, Ordered {

    public static final int ORDER = UpstreamRoutingFilter.ORDER + 1;

    /** Idempotent methods; TRACE is too, but the public listener refuses it before any routing. */
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE);

    private final GatewayRouteModel routeModel;
    private final long poolRetryAfterSeconds;

    public UpstreamAttemptFilter(GatewayRouteModel routeModel, UpstreamGuards guards) {
        this.routeModel = routeModel;
        this.poolRetryAfterSeconds = Math.max(1, (guards.defaults().retryAfter().toMillis() + 999) / 1000);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        GuardedCall call = exchange.getAttribute(GuardedCall.ATTR);
        Endpoint first = exchange.getAttribute(UpstreamRoutingFilter.ENDPOINT_ATTR);
        if (call == null || first == null) {
            return chain.filter(exchange);
        }
        if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            call.settleWithoutResult();
            return chain.filter(exchange);
        }
        UpstreamGuard guard = call.guard();
        long start = System.nanoTime();
        int retries = retryable(exchange.getRequest()) ? guard.policy().retries() : 0;
        Set<Endpoint> tried = new HashSet<>();
        tried.add(first);
        return attempt(exchange, chain, guard, tried, retries)
                .then(Mono.<Void>fromRunnable(() -> judgeResponse(exchange, call, System.nanoTime() - start)))
                .onErrorResume(error -> answerFailure(exchange, call, error, System.nanoTime() - start));
    }

    private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, UpstreamGuard guard,
                               Set<Endpoint> tried, int retriesLeft) {
        return chain.filter(exchange).onErrorResume(error -> {
            UpstreamFailure failure = UpstreamFailure.of(error);
            if (failure == UpstreamFailure.CONNECT_TIMEOUT) {
                guard.timedOut(UpstreamGuard.TimeoutKind.CONNECT);
            }
            if (!failure.connectFailure() || retriesLeft <= 0 || exchange.getResponse().isCommitted()
                    || exchange.getAttribute(CLIENT_RESPONSE_ATTR) != null) {
                return Mono.error(error);
            }
            Endpoint next = nextEndpoint(exchange, exchange.getAttribute(UpstreamRoutingFilter.ENDPOINT_ATTR), tried);
            if (next == null) {
                return Mono.error(error);
            }
            tried.add(next);
            // Let the routing filter run again, now towards the next endpoint.
            ServerWebExchangeUtils.reset(exchange);
            URI current = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
            exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, UpstreamRoutingFilter.endpointUrl(next, current));
            exchange.getAttributes().put(UpstreamRoutingFilter.ENDPOINT_ATTR, next);
            guard.retried();
            return attempt(exchange, chain, guard, tried, retriesLeft - 1);
        });
    }

    /**
     * The endpoint after the one that failed, in the upstream's order, skipping those already tried while untried
     * ones remain. The shared round-robin position is left alone: a dead endpoint must not make every following
     * request start on it.
     */
    private Endpoint nextEndpoint(ServerWebExchange exchange, Endpoint failed, Set<Endpoint> tried) {
        UpstreamKey key = exchange.getAttribute(UpstreamRoutingFilter.UPSTREAM_ATTR);
        Upstream upstream = key == null ? null : routeModel.upstream(key);
        if (upstream == null || upstream.endpoints().isEmpty()) {
            return null;
        }
        List<Endpoint> endpoints = upstream.endpoints();
        int from = endpoints.indexOf(failed);
        for (int i = 1; i <= endpoints.size(); i++) {
            Endpoint candidate = endpoints.get(Math.floorMod(from + i, endpoints.size()));
            if (!tried.contains(candidate)) {
                return candidate;
            }
        }
        // Every endpoint has failed once: the next one may have recovered meanwhile (a pod restarting).
        return endpoints.get(Math.floorMod(from + 1, endpoints.size()));
    }

    /** 502, 503 and 504 from the upstream are failures, like ingress-nginx's proxy_next_upstream http_50x. */
    private static void judgeResponse(ServerWebExchange exchange, GuardedCall call, long nanos) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        int code = status == null ? 200 : status.value();
        if (code == 502 || code == 503 || code == 504) {
            call.recordFailure(nanos, new UpstreamStatusException(code));
            call.markResponseStarted();
        } else {
            call.recordSuccess(nanos);
        }
    }

    private Mono<Void> answerFailure(ServerWebExchange exchange, GuardedCall call, Throwable error, long nanos) {
        UpstreamFailure failure = UpstreamFailure.of(error);
        if (failure == UpstreamFailure.READ_TIMEOUT) {
            call.guard().timedOut(UpstreamGuard.TimeoutKind.READ);
        } else if (failure == UpstreamFailure.SEND_TIMEOUT) {
            call.guard().timedOut(UpstreamGuard.TimeoutKind.SEND);
        }
        if (failure.countsAsUpstreamFailure()) {
            call.recordFailure(nanos, error);
        } else {
            call.settleWithoutResult();
        }
        if (failure.status() == null || exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        if (failure == UpstreamFailure.POOL_EXHAUSTED) {
            call.guard().reject(UpstreamGuard.Rejection.POOL);
            return UpstreamGuardFilter.reject(exchange, poolRetryAfterSeconds, failure.message());
        }
        return GatewayErrorResponses.write(exchange, failure.status(), failure.message());
    }

    /** Idempotent, and nothing to send again: no body, or an empty one. */
    static boolean retryable(ServerHttpRequest request) {
        if (!IDEMPOTENT.contains(request.getMethod())) {
            return false;
        }
        HttpHeaders headers = request.getHeaders();
        return !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING) && headers.getContentLength() <= 0;
    }

    /** An upstream answer the circuit breaker counts as a failure. */
    static final class UpstreamStatusException extends RuntimeException {
        UpstreamStatusException(int status) {
            super("upstream answered " + status, null, false, false);
        }
    }
}
