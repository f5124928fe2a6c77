package io.ingressgateway.edge;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes a WebSocket session after the idle timeout without a frame in either direction (pings and pongs count:
 * they are how a client keeps a quiet session open). The client gets a close frame with 1001 (going away) first; the
 * gateway's proxy then closes the session to the upstream too.
 *
 * <p>nginx's equivalent is {@code proxy_read_timeout} on the upgraded connection (the upstream's silence only); here
 * traffic either way keeps a session open, so a client that sends and an upstream that only listens are not cut off.
 */
final class WebSocketIdleTimeout extends IdleStateHandler {

    private final AtomicLong closed;

    WebSocketIdleTimeout(Duration idleTimeout, AtomicLong closed) {
        super(0, 0, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
        this.closed = closed;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        if (event.state() != IdleState.ALL_IDLE || !ctx.channel().isActive()) {
            return;
        }
        closed.incrementAndGet();
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout"))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
