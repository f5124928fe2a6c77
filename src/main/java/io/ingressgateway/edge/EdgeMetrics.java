package io.ingressgateway.edge;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The accept path and event loops, read at scrape time: open connections and in-flight requests against their
 * limits, what each limit rejected, the requests refused as invalid, and how long each group of gateway event loops last left a task waiting.
 */
public final class EdgeMetrics implements MeterBinder {

    static final String REJECTIONS = "ingress.gateway.listener.rejections";

    private final ConnectionLimit connections;
    private final InFlightRequestLimit requests;
    private final EarlyRetryHold earlyRetryHold;
    private final RequestSanity requestSanity;
    private final EventLoopWatchdog watchdog;
    private final WebSocketSessionLimit webSocketSessions;
    private final ClientTimeouts clientTimeouts;

    public EdgeMetrics(ConnectionLimit connections, InFlightRequestLimit requests, EarlyRetryHold earlyRetryHold,
                       RequestSanity requestSanity, EventLoopWatchdog watchdog,
                       WebSocketSessionLimit webSocketSessions, ClientTimeouts clientTimeouts) {
        this.connections = connections;
        this.requests = requests;
        this.earlyRetryHold = earlyRetryHold;
        this.requestSanity = requestSanity;
        this.watchdog = watchdog;
        this.webSocketSessions = webSocketSessions;
        this.clientTimeouts = clientTimeouts;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("ingress.gateway.listener.connections", connections, ConnectionLimit::open)
                .description("Client connections open on the public listener")
                .register(registry);
        Gauge.builder("ingress.gateway.listener.connections.max", connections, ConnectionLimit::maxConnections)
                .description("Client connections the public listener accepts before refusing new ones")
                .register(registry);
        Gauge.builder("ingress.gateway.listener.requests.in.flight", requests, InFlightRequestLimit::inFlight)
                .description("Requests being served by the public listener")
                .register(registry);
        Gauge.builder("ingress.gateway.listener.requests.in.flight.max", requests, InFlightRequestLimit::maxInFlight)
                .description("Requests the public listener serves at once before answering 503")
                .register(registry);
        FunctionCounter.builder(REJECTIONS, connections, ConnectionLimit::refused)
                .description("Connections closed or requests answered 503 by the public listener's limits")
                .tag("reason", "max-connections")
                .register(registry);
        FunctionCounter.builder(REJECTIONS, requests, InFlightRequestLimit::rejected)
                .description("Connections closed or requests answered 503 by the public listener's limits")
                .tag("reason", "max-in-flight-requests")
                .register(registry);
        FunctionCounter.builder(REJECTIONS, connections, ConnectionLimit::refusedPerClientAddress)
                .description("Connections closed or requests answered 503 by the public listener's limits")
                .tag("reason", "max-connections-per-client-address")
                .register(registry);
        FunctionCounter.builder(REJECTIONS, webSocketSessions, WebSocketSessionLimit::rejected)
                .description("Connections closed or requests answered 503 by the public listener's limits")
                .tag("reason", "max-websocket-sessions")
                .register(registry);
        Gauge.builder("ingress.gateway.listener.websocket.sessions", webSocketSessions, WebSocketSessionLimit::open)
                .description("WebSocket sessions open on the public listeners")
                .register(registry);
        Gauge.builder("ingress.gateway.listener.websocket.sessions.max", webSocketSessions,
                        WebSocketSessionLimit::maxSessions)
                .description("WebSocket sessions the public listeners hold before answering upgrades 503")
                .register(registry);
        timeouts(registry, "client-header", ClientTimeouts::headerTimeouts);
        timeouts(registry, "client-body", ClientTimeouts::bodyTimeouts);
        timeouts(registry, "websocket-idle", ClientTimeouts::webSocketIdleTimeouts);
        FunctionCounter.builder("ingress.gateway.listener.held.requests", earlyRetryHold, EarlyRetryHold::held)
                .description("Requests held until the Retry-After their client was given had passed")
                .register(registry);
        for (RequestSanity.Refusal refusal : RequestSanity.Refusal.values()) {
            FunctionCounter.builder("ingress.gateway.listener.refused.requests", requestSanity,
                            sanity -> sanity.refused(refusal))
                    .description("Requests answered 400 or 405 before routing: invalid method, Host or path")
                    .tag("reason", refusal.tag())
                    .register(registry);
        }
        for (String group : watchdog.groups()) {
            Gauge.builder("ingress.gateway.event.loop.stall", watchdog,
                            w -> w.status().worstByGroup().get(group).toNanos() / (double) TimeUnit.SECONDS.toNanos(1))
                    .description("Longest time a watchdog task waited for a loop of the group")
                    .baseUnit("seconds")
                    .tag("group", group)
                    .register(registry);
        }
    }

    private void timeouts(MeterRegistry registry, String timeout, ToDoubleFunction<ClientTimeouts> count) {
        FunctionCounter.builder("ingress.gateway.listener.timeouts", clientTimeouts, count)
                .description("Client connections closed by a timeout of the public listeners")
                .tag("timeout", timeout)
                .register(registry);
    }
}
