package io.ingressgateway.resilience;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;

import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.filter.UpstreamRoutingFilter;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.NextUpstream;
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
 * <p>Retries follow the route's {@code proxy-next-upstream} conditions (ingress-nginx's default {@code error timeout}):
 * a failure is retried only when no response came back (refused, unreachable, connect timeout, closed before the
 * response headers; never a read timeout), an answer only when its status is listed and nothing was written to the
 * client yet. Only requests without a body, idempotent ones unless {@code non_idempotent} is listed, except that a
 * connection that could not be opened ({@code error}: refused, unreachable; {@code timeout}: connect timeout) is retried
 * whatever the method, since nothing of the request was sent: nginx passes such a request on too, which is what keeps
 * a POST from failing when it is sent to a pod that has just stopped, before the endpoints update arrives. At most
 * {@code retries} times ({@code proxy-next-upstream-tries} less one) and not after {@code proxy-next-upstream-timeout};
 * each time to the endpoint after the failed one that was not tried yet (or, when all were, simply the next one).
 */
public class UpstreamAttemptFilter implements GlobalFilter, Ordered {

    public static final int ORDER = UpstreamRoutingFilter.ORDER + 1;

    /** Idempotent methods; TRACE is too, but the public listener refuses it before any routing. */
    private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.PUT, HttpMethod.DELETE);

    /** What nginx's {@code non_idempotent} adds. */
    private static final Set<HttpMethod> NON_IDEMPOTENT = Set.of(HttpMethod.POST, HttpMethod.PATCH,
            HttpMethod.valueOf("LOCK"));

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
        GuardPolicy policy = guard.policy();
        NextUpstream conditions = policy.nextUpstream();
        boolean anyFailure = retryable(exchange.getRequest(), conditions);
        boolean connectFailuresOnly = !anyFailure && retriesConnectFailures(exchange.getRequest(), conditions);
        int retries = anyFailure || connectFailuresOnly ? policy.retries() : 0;
        Retries state = retries == 0 ? null : new Retries(conditions, retries, policy.nextUpstreamTimeout() == null
                ? Long.MAX_VALUE : start + policy.nextUpstreamTimeout().toNanos(), first, connectFailuresOnly);
        return attempt(exchange, chain, guard, state)
                .then(Mono.<Void>fromRunnable(() -> judgeResponse(exchange, call, System.nanoTime() - start)))
                .onErrorResume(error -> answerFailure(exchange, call, error, System.nanoTime() - start));
    }

    /**
     * What is left of one request's retries: how many, until when, the endpoints already tried, and whether only a
     * connection that could not be opened is retried (a request the route's conditions would not send twice).
     */
    private static final class Retries {
        private final NextUpstream conditions;
        private final long deadlineNanos;
        private final boolean connectFailuresOnly;
        private final Set<Endpoint> tried = new HashSet<>();
        private int left;

        Retries(NextUpstream conditions, int left, long deadlineNanos, Endpoint first, boolean connectFailuresOnly) {
            this.conditions = conditions;
            this.left = left;
            this.deadlineNanos = deadlineNanos;
            this.connectFailuresOnly = connectFailuresOnly;
            tried.add(first);
        }

        boolean mayRetry() {
            return left > 0 && System.nanoTime() - deadlineNanos < 0;
        }
    }

    /**
     * One attempt, then another on the next endpoint while the failure or the answer is one the route retries. A
     * failure is retried only before any of the upstream's response reached the gateway; an answer (a status the
     * route lists) only before anything was written to the client, its connection then closed unread.
     */
    private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, UpstreamGuard guard,
                               Retries retries) {
        Mono<Void> sent = chain.filter(exchange).onErrorResume(error -> {
            UpstreamFailure failure = UpstreamFailure.of(error);
            if (failure == UpstreamFailure.CONNECT_TIMEOUT) {
                guard.timedOut(UpstreamGuard.TimeoutKind.CONNECT);
            }
            if (retries == null || !retriesFailure(retries.conditions, failure) || !retries.mayRetry()
                    || retries.connectFailuresOnly && !failure.connectFailure()
                    || exchange.getResponse().isCommitted() || exchange.getAttribute(CLIENT_RESPONSE_ATTR) != null) {
                return Mono.error(error);
            }
            return retry(exchange, chain, guard, retries, error);
        });
        if (retries == null || retries.conditions.statuses().isEmpty() || retries.connectFailuresOnly) {
            return sent;
        }
        return sent.then(Mono.defer(() -> {
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            if (status == null || !retries.conditions.retriesStatus(status.value()) || !retries.mayRetry()
                    || exchange.getResponse().isCommitted()) {
                return Mono.empty();
            }
            return retry(exchange, chain, guard, retries, null);
        }));
    }

    /** Points the request at the next endpoint and tries again; {@code error} is what to fail with if none is left. */
    private Mono<Void> retry(ServerWebExchange exchange, GatewayFilterChain chain, UpstreamGuard guard,
                             Retries retries, Throwable error) {
        Endpoint next = nextEndpoint(exchange, exchange.getAttribute(UpstreamRoutingFilter.ENDPOINT_ATTR),
                retries.tried);
        if (next == null) {
            return error == null ? Mono.empty() : Mono.error(error);
        }
        retries.tried.add(next);
        retries.left--;
        // Let the routing filter run again, now towards the next endpoint. For a dropped answer this also closes its
        // connection unread (rather than draining it back into the pool) and removes the headers it had set.
        ServerWebExchangeUtils.reset(exchange);
        exchange.getResponse().setStatusCode(null);
        URI current = exchange.getRequiredAttribute(GATEWAY_REQUEST_URL_ATTR);
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, UpstreamRoutingFilter.endpointUrl(next, current));
        exchange.getAttributes().put(UpstreamRoutingFilter.ENDPOINT_ATTR, next);
        guard.retried();
        return attempt(exchange, chain, guard, retries);
    }

    /**
     * Whether the route retries this failure. Only failures where the upstream sent nothing back qualify: refused or
     * unreachable ({@code error}), a connect timeout ({@code timeout}), a connection closed before the response
     * headers ({@code error} or {@code invalid_header}). A read timeout is never retried, unlike nginx's
     * {@code timeout}: an upstream that sat on a request that long is slow, and sending the request to its next pod
     * would double the load on an app that is already falling behind.
     */
    static boolean retriesFailure(NextUpstream conditions, UpstreamFailure failure) {
        return switch (failure) {
            case CONNECT_TIMEOUT -> conditions.timeout();
            case CLOSED -> conditions.error() || conditions.invalidHeader();
            default -> failure.connectFailure() && conditions.error();
        };
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

    /**
     * Nothing to send again (no body, or an empty one: a streamed body cannot be sent twice), and idempotent unless
     * the route also retries non-idempotent requests.
     */
    static boolean retryable(ServerHttpRequest request, NextUpstream conditions) {
        if (!conditions.retriesAnything()) {
            return false;
        }
        if (!IDEMPOTENT.contains(request.getMethod())
                && !(conditions.nonIdempotent() && NON_IDEMPOTENT.contains(request.getMethod()))) {
            return false;
        }
        HttpHeaders headers = request.getHeaders();
        return !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING) && headers.getContentLength() <= 0;
    }

    /**
     * A request the route's conditions would not send twice (not idempotent) may still go to another endpoint when its
     * connection could not be opened: nothing of it left the gateway. Only without a body: the body is read from the
     * client once.
     */
    static boolean retriesConnectFailures(ServerHttpRequest request, NextUpstream conditions) {
        if (!conditions.error() && !conditions.timeout()) {
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
