package io.ingressgateway.gateway.metrics;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import java.util.function.Consumer;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Records each routed request into {@link RequestMetrics}: its duration, its upstream response time, its request and
 * response sizes, under the labels of the rule it matched, its status and its method.
 *
 * <p>Runs first of the gateway's filters, so that what any of them answers itself (a redirect, a CORS pre-flight, a
 * 401, 403, 429 or 503 of a guard, the 404 of no rule) is counted as ingress-nginx counts it. Requests refused before
 * routing (connection and in-flight limits, malformed requests) never reach it: the listener's own meters count them.
 *
 * <p>Per request: one {@link Measure} (it is the finally-callback too, and where {@link UpstreamStart} notes when the
 * upstream was first asked), one exchange attribute, one {@code doFinally} operator; at the end two exchange
 * attribute reads, a scan of the route's series and atomic adds into one array. A request cancelled by its client
 * (the connection closed before the response's end) is not recorded, as the route timer does not record it.
 */
public final class RequestMetricsFilter implements GlobalFilter, Ordered {

    /** Before every other gateway filter. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

    private final RequestMetrics metrics;

    public RequestMetricsFilter(RequestMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Measure measure = new Measure(exchange, metrics, System.nanoTime());
        exchange.getAttributes().put(Measure.ATTR, measure);
        return chain.filter(exchange).doFinally(measure);
    }

    /** Notes when the request's first upstream attempt starts, right before the routing filters send it. */
    public static final class UpstreamStart implements GlobalFilter, Ordered {

        /**
         * Before the WebSocket routing filter ({@code LOWEST_PRECEDENCE - 1}) and the HTTP one ({@link NettyRoutingFilter}),
         * after every guard that may refuse the request.
         */
        public static final int ORDER = NettyRoutingFilter.ORDER - 2;

        @Override
        public int getOrder() {
            return ORDER;
        }

        @Override
        public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
            Measure measure = exchange.getAttribute(Measure.ATTR);
            if (measure != null && measure.upstreamStart == 0) {
                // A retry passes here again: the upstream time covers every attempt, as the client waited for all.
                measure.upstreamStart = System.nanoTime();
            }
            return chain.filter(exchange);
        }
    }

    /** One request's measure, from its start to its response's end. */
    static final class Measure implements Consumer<SignalType> {

        static final String ATTR = Measure.class.getName();

        private final ServerWebExchange exchange;
        private final RequestMetrics metrics;
        private final long start;
        /** When the first upstream attempt started (never 0 once set: nanoTime's 0 is as unlikely as any value). */
        volatile long upstreamStart;

        Measure(ServerWebExchange exchange, RequestMetrics metrics, long start) {
            this.exchange = exchange;
            this.metrics = metrics;
            this.start = start;
        }

        @Override
        public void accept(SignalType signal) {
            if (signal == SignalType.CANCEL) {
                return;
            }
            if (exchange.getResponse().isCommitted()) {
                record();
            } else {
                // An error answered after the chain (the gateway's error page): its status is known at commit.
                exchange.getResponse().beforeCommit(() -> {
                    record();
                    return Mono.empty();
                });
            }
        }

        private void record() {
            long end = System.nanoTime();
            HttpStatusCode status = exchange.getResponse().getStatusCode();
            int code = status == null ? StatusTag.NONE : StatusTag.key(status.value());
            HttpMethod method = exchange.getRequest().getMethod();
            Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
            long upstream = upstreamStart;
            boolean bodiless = method == HttpMethod.HEAD || code == 204 || code == 304;
            metrics.series(exchange, route, code, MethodTag.of(method)).record(end - start,
                    MessageSize.of(exchange.getRequest()), MessageSize.of(exchange.getResponse(), bodiless),
                    upstream == 0 ? -1 : end - upstream);
        }
    }
}
