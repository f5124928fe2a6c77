package io.ingressgateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.netty.NettyPipeline;

/**
 * How long a client of the public listeners may take, as nginx bounds it: the request line and headers by a deadline
 * ({@code client_header_timeout}), the body by the longest silence between two reads ({@code client_body_timeout}),
 * and an upgraded WebSocket by the longest time without a frame either way. The idle time between two requests of
 * a keep-alive connection is Reactor Netty's own idle timeout (see {@link PublicListenerCustomizer}).
 *
 * <p>Reactor Netty 1.3's own timeouts do not do this: its read and request timeouts start only once a request's head
 * is decoded (so they never see a slow head), neither answers 408, and the read timeout also expires while the
 * gateway itself has stopped reading because the upstream is slow to take the body. Its idle timeout is the
 * keep-alive timeout. {@link #install} puts a {@link ClientTimeoutHandler} on each HTTP/1.1 connection instead (on
 * the HTTPS listener once ALPN has chosen HTTP/1.1). HTTP/2 connections are bounded by the idle timeout and the
 * HTTP/2 limits.
 *
 * <p>One instance serves both listeners and counts what each timeout closed.
 */
public final class ClientTimeouts {

    static final String HANDLER_NAME = "ingressGateway.clientTimeouts";
    static final String BYTES_HANDLER_NAME = "ingressGateway.clientBytes";
    static final String NEGOTIATION_HANDLER_NAME = "ingressGateway.clientTimeoutsAfterAlpn";
    static final String WEBSOCKET_HANDLER_NAME = "ingressGateway.webSocketIdleTimeout";

    private final long headerTimeoutNanos;
    private final long bodyTimeoutNanos;
    private final Duration webSocketIdleTimeout;
    private final WebSocketSessionLimit webSocketSessions;
    private final AtomicLong headerTimeouts = new AtomicLong();
    private final AtomicLong bodyTimeouts = new AtomicLong();
    private final AtomicLong webSocketIdleTimeouts = new AtomicLong();

    /**
     * @param webSocketSessions the cap whose places are handed to upgraded connections, or null when sessions are not
     *                          counted
     */
    public ClientTimeouts(Duration headerTimeout, Duration bodyTimeout, Duration webSocketIdleTimeout,
                          WebSocketSessionLimit webSocketSessions) {
        if (headerTimeout.isNegative() || headerTimeout.isZero() || bodyTimeout.isNegative() || bodyTimeout.isZero()
                || webSocketIdleTimeout.isNegative() || webSocketIdleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.bodyTimeoutNanos = bodyTimeout.toNanos();
        this.webSocketIdleTimeout = webSocketIdleTimeout;
        this.webSocketSessions = webSocketSessions;
    }

    /**
     * Called as a connection's pipeline is set up, after Reactor Netty's own handlers. Plain HTTP/1.1 has its codec
     * already; on TLS the protocol is only known once ALPN is done.
     */
    public void install(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        if (pipeline.get(NettyPipeline.HttpCodec) instanceof HttpServerCodec) {
            addHandlers(pipeline);
        } else if (pipeline.get(NettyPipeline.H2OrHttp11Codec) != null) {
            pipeline.addAfter(NettyPipeline.H2OrHttp11Codec, NEGOTIATION_HANDLER_NAME, new AfterNegotiation());
        }
    }

    /** The byte tap before the codec sees that a request has begun; the handler after it sees decoded messages. */
    private void addHandlers(ChannelPipeline pipeline) {
        ClientTimeoutHandler handler = new ClientTimeoutHandler(this);
        pipeline.addBefore(NettyPipeline.HttpCodec, BYTES_HANDLER_NAME, handler.bytesTap());
        pipeline.addAfter(NettyPipeline.HttpCodec, HANDLER_NAME, handler);
    }

    /**
     * Sits after Reactor Netty's ALPN handler, which sets up the HTTP/1.1 or HTTP/2 pipeline when the handshake
     * completes and passes the event on: by then the codec is in place.
     */
    private final class AfterNegotiation extends ChannelInboundHandlerAdapter {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent handshake) {
                ChannelPipeline pipeline = ctx.pipeline();
                pipeline.remove(this);
                if (handshake.isSuccess() && pipeline.get(NettyPipeline.HttpCodec) instanceof HttpServerCodec) {
                    addHandlers(pipeline);
                }
            }
            ctx.fireUserEventTriggered(event);
        }
    }

    long headerTimeoutNanos() {
        return headerTimeoutNanos;
    }

    long bodyTimeoutNanos() {
        return bodyTimeoutNanos;
    }

    /** After a {@code 101 Switching Protocols}: the WebSocket's idle timeout, and its place in the session cap. */
    ChannelHandler upgraded(Channel channel) {
        if (webSocketSessions != null) {
            webSocketSessions.upgraded(channel);
        }
        return new WebSocketIdleTimeout(webSocketIdleTimeout, webSocketIdleTimeouts);
    }

    void headerTimedOut() {
        headerTimeouts.incrementAndGet();
    }

    void bodyTimedOut() {
        bodyTimeouts.incrementAndGet();
    }

    /** Connections closed because a request's line and headers did not arrive in time. */
    public long headerTimeouts() {
        return headerTimeouts.get();
    }

    /** Connections closed because the client went silent while sending a request body. */
    public long bodyTimeouts() {
        return bodyTimeouts.get();
    }

    /** WebSocket sessions closed because no frame went either way for the idle timeout. */
    public long webSocketIdleTimeouts() {
        return webSocketIdleTimeouts.get();
    }
}
