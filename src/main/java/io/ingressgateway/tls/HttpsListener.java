package io.ingressgateway.tls;

import io.ingressgateway.config.IngressGatewayProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.SslProvider;

/**
 * The HTTPS listener: a second Reactor Netty server beside the one Spring Boot runs on {@code server.port}, serving the
 * same {@link HttpHandler}, so every request takes the same routing, filters and metrics whichever port it came in
 * on. The certificate of each handshake is chosen by {@link SniCertificates}; ALPN offers HTTP/2 and HTTP/1.1.
 *
 * <p>Starts and stops with the main web server's lifecycle phase; on stop, in-flight requests get the graceful
 * shutdown period to finish.
 */
public class HttpsListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HttpsListener.class);
    /** The phase Spring Boot starts its web server in: requests arrive on both ports from the same moment. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

    private final IngressGatewayProperties.Tls settings;
    private final HttpHandler handler;
    private final SniCertificates certificates;
    private final ReactorResourceFactory resources;
    private final NettyServerCustomizer listenerBounds;
    private final HttpsConnectionGuards connectionGuards;
    private final Duration shutdownTimeout;
    private final boolean serverPresent;
    private volatile DisposableServer server;

    /**
     * @param resources the main server's event loops when the application declares them, else null for Reactor
     *                  Netty's shared ones
     * @param listenerBounds the public listeners' bounds (backlog, connection limit, client timeouts, size limits)
     * @param connectionGuards the HTTP/2 limits and the 421 answer to misdirected requests
     * @param serverPresent whether the application runs a web server to listen beside (not in a mock environment)
     */
    public HttpsListener(IngressGatewayProperties.Tls settings, HttpHandler handler, SniCertificates certificates,
                         ReactorResourceFactory resources, NettyServerCustomizer listenerBounds,
                         HttpsConnectionGuards connectionGuards, Duration shutdownTimeout, boolean serverPresent) {
        this.listenerBounds = listenerBounds;
        this.connectionGuards = connectionGuards;
        this.serverPresent = serverPresent;
        this.settings = settings;
        this.handler = handler;
        this.certificates = certificates;
        this.resources = resources;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public synchronized void start() {
        if (server != null || !serverPresent) {
            return;
        }
        SslProvider ssl = SslProvider.builder()
                .sslContext(certificates.defaultProvider().getSslContext())
                .setSniAsyncMappings(certificates)
                .handshakeTimeout(settings.handshakeTimeout())
                .build();
        HttpServer http = HttpServer.create()
                .port(settings.port())
                .protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
                .secure(ssl)
                .handle(connectionGuards.answeringMisdirected(new ReactorHttpHandlerAdapter(handler)));
        http = connectionGuards.apply(http);
        if (resources != null && resources.getLoopResources() != null) {
            http = http.runOn(resources.getLoopResources());
        }
        server = listenerBounds.apply(http).bindNow();
        log.info("HTTPS listener started on port {} (HTTP/2 and HTTP/1.1, {})", server.port(),
                String.join(", ", settings.protocols()));
    }

    @Override
    public synchronized void stop() {
        DisposableServer running = server;
        server = null;
        if (running != null) {
            running.disposeNow(shutdownTimeout);
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** The port the listener is bound to (the configured one, or the one chosen for port 0); -1 when stopped. */
    public int port() {
        DisposableServer running = server;
        return running == null ? -1 : running.port();
    }
}
