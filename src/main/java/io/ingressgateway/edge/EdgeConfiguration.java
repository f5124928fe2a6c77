package io.ingressgateway.edge;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.accesslog.AccessLog;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * The public listener and the data plane's event loops.
 *
 * <p>Everything here reaches the main server only. Boot's management child context builds its own server factory and
 * HTTP handler: it does not see this context's {@link WebServerFactoryCustomizer}s or
 * {@link WebHttpHandlerBuilderCustomizer}s (it does see {@code NettyServerCustomizer} beans, hence none here), and it
 * runs on event loops of its own (see {@code io.ingressgatewaymanagement}).
 */
@Configuration(proxyBeanMethods = false)
public class EdgeConfiguration {

    @Bean(destroyMethod = "close")
    GatewayEventLoops gatewayEventLoops(IngressGatewayProperties properties) {
        IngressGatewayProperties.EventLoops threads = properties.eventLoops();
        return new GatewayEventLoops(threads.gatewayThreadCount(), threads.upstreamThreadCount());
    }

    /**
     * Replaces Boot's resource factory (which would use Reactor Netty's JVM-wide loops) so the main server runs on
     * {@code gateway-http-*}. The loops are owned by {@link GatewayEventLoops}: the factory neither creates nor
     * disposes them.
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory(GatewayEventLoops loops) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        factory.setLoopResources(loops.server());
        return factory;
    }

    /** The gateway's upstream client ignores the resource factory; it is moved to its own loops here. */
    @Bean
    HttpClientCustomizer upstreamEventLoops(GatewayEventLoops loops) {
        return httpClient -> httpClient.runOn(loops.upstream());
    }

    @Bean
    ConnectionLimit publicListenerConnectionLimit(IngressGatewayProperties properties) {
        return new ConnectionLimit(properties.listener().maxConnections(),
                properties.listener().maxConnectionsPerClientAddress(),
                properties.clientAddress().useProxyProtocol());
    }

    @Bean
    WebSocketSessionLimit publicListenerWebSocketSessionLimit(IngressGatewayProperties properties) {
        return new WebSocketSessionLimit(properties.listener().maxWebsocketSessions(),
                properties.listener().retryAfter());
    }

    /** One instance for both listeners (the HTTPS listener applies the same customizer), so one set of counts. */
    @Bean
    ClientTimeouts publicListenerClientTimeouts(IngressGatewayProperties properties,
                                                WebSocketSessionLimit webSocketSessions) {
        IngressGatewayProperties.Listener listener = properties.listener();
        return new ClientTimeouts(listener.clientHeaderTimeout(), listener.clientBodyTimeout(),
                listener.websocketIdleTimeout(), webSocketSessions);
    }

    @Bean
    InFlightRequestLimit publicListenerInFlightRequestLimit(IngressGatewayProperties properties) {
        return new InFlightRequestLimit(properties.listener().maxInFlightRequests(),
                properties.listener().retryAfter());
    }

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> publicListenerBounds(
            IngressGatewayProperties properties, ConnectionLimit connectionLimit, ClientTimeouts clientTimeouts) {
        return new OrderedWebServerFactoryCustomizer(
                new PublicListenerCustomizer(properties.listener(), connectionLimit, clientTimeouts,
                        properties.clientAddress()));
    }

    @Bean
    EarlyRetryHold publicListenerEarlyRetryHold(IngressGatewayProperties properties) {
        return new EarlyRetryHold(properties.listener().maxEarlyRetryHold());
    }

    @Bean
    RequestSanity publicListenerRequestSanity() {
        return new RequestSanity();
    }

    /**
     * The drain on shutdown, before Spring's graceful stop. Warns when the drain cannot fit in its shutdown phase:
     * the lifecycle processor would cut it at {@code spring.lifecycle.timeout-per-shutdown-phase}.
     */
    @Bean
    ListenerDrain publicListenerDrain(IngressGatewayProperties properties, Environment environment) {
        Duration drainPeriod = properties.shutdown().drainPeriod();
        Duration phaseTimeout = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase",
                Duration.class, Duration.ofSeconds(30));
        if (drainPeriod.compareTo(phaseTimeout) >= 0) {
            LoggerFactory.getLogger(ListenerDrain.class).warn("ingress-gateway.shutdown.drain-period ({}) is not "
                    + "shorter than spring.lifecycle.timeout-per-shutdown-phase ({}): the drain will be cut short",
                    drainPeriod, phaseTimeout);
        }
        return new ListenerDrain(drainPeriod);
    }

    /**
     * Outermost decorators of the main server's HTTP handler (which the HTTPS listener serves too): during a drain
     * each request's connection is closed after it (first, so that every answer, refusals included, says so), then
     * clients retrying before their Retry-After are held (holding no in-flight place), then requests the gateway must
     * not route are refused (invalid Host or path, TRACE), then the in-flight limit is checked before any filter runs, then a
     * WebSocket upgrade takes its session place (the in-flight place is given back at the handshake, the session
     * place when the session ends).
     */
    @Bean
    ServerHeader publicListenerServerHeader(IngressGatewayProperties properties) {
        return new ServerHeader(properties.serverHeader());
    }

    /** The {@code Server} header on the answers Reactor Netty writes itself on the HTTP listener (414, 431, 400). */
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> publicListenerServerHeaderOnReactorNettyAnswers(
            ServerHeader serverHeader) {
        return factory -> factory.addServerCustomizers(serverHeader.onReactorNettyAnswers());
    }

    /**
     * The access log and the {@code Server} header wrap all of these, so the requests the listener refuses are logged
     * and answered with the header too.
     */
    @Bean
    WebHttpHandlerBuilderCustomizer publicListenerInFlightLimit(InFlightRequestLimit limit, EarlyRetryHold hold,
                                                                RequestSanity sanity,
                                                                WebSocketSessionLimit webSocketSessions,
                                                                ServerHeader serverHeader, AccessLog accessLog,
                                                                ListenerDrain drain) {
        return builder -> builder.httpHandlerDecorator(handler -> accessLog.decorate(serverHeader.decorate(drain.decorate(
                hold.decorate(sanity.decorate(limit.decorate(webSocketSessions.decorate(handler))))))));
    }

    /**
     * No {@code http.server.requests} observation on the public listener. Every routed request is already timed and
     * counted by the gateway's route metrics ({@code spring.cloud.gateway.requests}: route, status, outcome), and
     * requests refused before routing by {@link EdgeMetrics}; the observation would time each one a second time, plus
     * a long-task timer of requests in progress, a noticeable share of a request's CPU. The management server keeps
     * its own observation (its handler is built in its own context).
     */
    @Bean
    WebHttpHandlerBuilderCustomizer publicListenerWithoutServerObservation() {
        return builder -> builder.observationRegistry(ObservationRegistry.NOOP);
    }

    /** Watches from startup on; stops after the server has shut down. */
    @Bean(initMethod = "start", destroyMethod = "close")
    EventLoopWatchdog eventLoopWatchdog(GatewayEventLoops loops, IngressGatewayProperties properties) {
        return new EventLoopWatchdog(loops.groups(), properties.liveness().checkInterval(),
                properties.liveness().stallTimeout());
    }

    @Bean
    EdgeMetrics edgeMetrics(ConnectionLimit connectionLimit, InFlightRequestLimit inFlightRequestLimit,
                            EarlyRetryHold earlyRetryHold, RequestSanity requestSanity, EventLoopWatchdog watchdog,
                            WebSocketSessionLimit webSocketSessions, ClientTimeouts clientTimeouts) {
        return new EdgeMetrics(connectionLimit, inFlightRequestLimit, earlyRetryHold, requestSanity, watchdog,
                webSocketSessions, clientTimeouts);
    }

    private record OrderedWebServerFactoryCustomizer(PublicListenerCustomizer customizer)
            implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

        @Override
        public void customize(NettyReactiveWebServerFactory factory) {
            factory.addServerCustomizers(customizer);
        }

        /**
         * After Boot's own customizer (order 0), whose request decoder settings
         * ({@code server.max-http-request-header-size}, ...) would otherwise replace the listener's size limits.
         */
        @Override
        public int getOrder() {
            return 1;
        }
    }
}
