package io.ingressgateway.edge;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The drain between SIGTERM and Spring's graceful stop of the listeners. When the application context starts to
 * close, readiness is already out of service ({@code publicListener}, on the probe server, which runs until after the
 * listeners have stopped); this lifecycle then keeps both public listeners serving for the drain period, so that
 * endpoints controllers and load balancers, which learn of the pod's end asynchronously, stop sending it new
 * connections while it still answers them. Meanwhile every client is asked to go elsewhere at its next request: an
 * HTTP/1.1 answer carries {@code Connection: close} (the connection is closed once it is sent), an HTTP/2 connection
 * gets GOAWAY (the streams already open finish; the client opens its next ones on a new connection). A client that does not send a request
 * during the drain is closed by the graceful stop that follows, which also refuses new connections and lets in-flight
 * requests finish within {@code spring.lifecycle.timeout-per-shutdown-phase}.
 *
 * <p>Its phase stops it before {@link WebServerGracefulShutdownLifecycle} (and the HTTPS listener, stopped in the same
 * phase), so the drain always precedes Spring's own shutdown; its callback is given back after the drain period
 * without holding a thread of the lifecycle processor.
 *
 * <p>Outside a drain a request costs one volatile read here.
 */
public final class ListenerDrain implements SmartLifecycle {

    /** Stopped before the web server's graceful shutdown (and every phase below it). */
    public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 512;

    private static final Logger log = LoggerFactory.getLogger(ListenerDrain.class);

    private final Duration drainPeriod;
    private final AtomicLong closedHttp1 = new AtomicLong();
    private final AtomicLong closedHttp2 = new AtomicLong();
    private volatile boolean running;
    private volatile boolean draining;

    /**
     * @param drainPeriod how long the listeners keep serving once shutdown has begun; zero for no drain
     */
    public ListenerDrain(Duration drainPeriod) {
        this.drainPeriod = drainPeriod;
    }

    /** Wraps the public listeners' handler: during the drain, each request's connection is closed after it. */
    public HttpHandler decorate(HttpHandler handler) {
        return (request, response) -> {
            if (draining) {
                closeConnectionAfter(ServerHttpRequestDecorator.getNativeRequest(request),
                        ServerHttpResponseDecorator.getNativeResponse(response));
            }
            return handler.handle(request, response);
        };
    }

    private void closeConnectionAfter(Object nativeRequest, Object nativeResponse) {
        if (!(nativeRequest instanceof Connection connection)) {
            return;
        }
        Channel channel = connection.channel();
        if (channel instanceof Http2StreamChannel stream) {
            // GOAWAY naming the last stream the client opened (this one included): the streams already open are
            // answered, the client opens no new one here and closes the connection once they are done (the graceful
            // stop closes any connection still open).
            Channel parent = stream.parent();
            Http2ConnectionHandler http2 = parent.pipeline().get(Http2ConnectionHandler.class);
            if (http2 != null && !http2.connection().goAwaySent()) {
                closedHttp2.incrementAndGet();
                parent.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            }
        } else if (nativeResponse instanceof HttpServerResponse http1) {
            // Connection: close on the answer; Reactor Netty closes the connection once it is written.
            closedHttp1.incrementAndGet();
            http1.keepAlive(false);
        }
    }

    /** Whether the listeners are draining: shutdown has begun and they still serve. */
    public boolean draining() {
        return draining;
    }

    @Override
    public void start() {
        // A context stopped and started again (Spring's test context cache pauses the contexts it keeps) serves
        // keep-alive connections as before.
        draining = false;
        running = true;
    }

    @Override
    public void stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        stop(() -> done.complete(null));
        done.join();
    }

    @Override
    public void stop(Runnable callback) {
        if (!running) {
            callback.run();
            return;
        }
        running = false;
        if (drainPeriod.isZero()) {
            log.info("Shutdown: no drain (ingress-gateway.shutdown.drain-period is 0), the listeners stop now");
            callback.run();
            return;
        }
        draining = true;
        log.info("Shutdown: readiness is down, draining the public listeners for {} (HTTP/1.1 answers close their "
                + "connection, HTTP/2 connections get GOAWAY)", drainPeriod);
        CompletableFuture.delayedExecutor(drainPeriod.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            log.info("Shutdown: drain over after {} ({} HTTP/1.1 and {} HTTP/2 connections asked to close); the "
                    + "listeners stop taking connections and finish in-flight requests", drainPeriod,
                    closedHttp1.get(), closedHttp2.get());
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
