package io.ingressgateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the public listener's open connections. It sits in the listening socket's pipeline, so it sees each accepted
 * connection on the acceptor thread before the connection is handed to a worker loop: past the cap the connection is
 * closed right there. Refusing costs nothing and never queues, unlike leaving it in the kernel's backlog, and it works
 * even while every worker loop is busy.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();

    public ConnectionLimit(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive");
        }
        this.maxConnections = maxConnections;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel connection)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            refused.incrementAndGet();
            // Not yet registered with any event loop: close the socket directly, as Netty's own acceptor does when
            // it cannot register a connection.
            connection.unsafe().closeForcibly();
            return;
        }
        connection.closeFuture().addListener(closed -> open.decrementAndGet());
        ctx.fireChannelRead(connection);
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Connections currently open. */
    public int open() {
        return open.get();
    }

    /** Connections refused since start. */
    public long refused() {
        return refused.get();
    }
}
