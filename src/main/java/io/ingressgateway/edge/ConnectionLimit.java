package io.ingressgateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caps the public listeners' open connections, in total and, optionally, per client IP address. It sits in the
 * listening socket's pipeline, so it sees each accepted connection on the acceptor thread before the connection is
 * handed to a worker loop: past a cap the connection is closed right there. Refusing costs nothing and never queues,
 * unlike leaving it in the kernel's backlog, and it works even while every worker loop is busy.
 *
 * <p>The per-address cap keeps one client (one address, or many connections behind one NAT) from taking the whole
 * total for itself. It is off by default: behind a load balancer that does not keep client addresses every
 * connection comes from a few addresses.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {

    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final ClientAddressConnections perAddress;
    private final AtomicLong refusedPerAddress = new AtomicLong();
    private final boolean clientAddressLater;

    public ConnectionLimit(int maxConnections) {
        this(maxConnections, 0);
    }

    /** @param maxPerClientAddress open connections from one client IP address; 0 for no such cap */
    public ConnectionLimit(int maxConnections, int maxPerClientAddress) {
        this(maxConnections, maxPerClientAddress, false);
    }

    /**
     * @param maxPerClientAddress  open connections from one client IP address; 0 for no such cap
     * @param clientAddressLater   whether the client is known only once the connection's PROXY header is read: the
     *                             per-address cap is then applied by {@link #admitClientAddress}, not on accept
     *                             (where every connection would seem to come from the load balancer)
     */
    public ConnectionLimit(int maxConnections, int maxPerClientAddress, boolean clientAddressLater) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive");
        }
        if (maxPerClientAddress < 0) {
            throw new IllegalArgumentException("maxPerClientAddress must be 0 (none) or positive");
        }
        this.maxConnections = maxConnections;
        this.perAddress = maxPerClientAddress == 0 ? null : new ClientAddressConnections(maxPerClientAddress);
        this.clientAddressLater = clientAddressLater;
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
            refuse(connection);
            return;
        }
        InetAddress address = perAddress == null || clientAddressLater ? null
                : addressOf(connection.remoteAddress());
        if (address != null && !perAddress.tryOpen(address)) {
            open.decrementAndGet();
            refusedPerAddress.incrementAndGet();
            refuse(connection);
            return;
        }
        connection.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            if (address != null) {
                perAddress.closed(address);
            }
        });
        ctx.fireChannelRead(connection);
    }

    /**
     * Counts an open connection of {@code address} against the per-address cap, once the connection's PROXY header
     * told who its client is (with {@code clientAddressLater}); it is uncounted when the connection closes.
     *
     * @return false, counting nothing, when the address already has the most it may have open: the caller closes it
     */
    public boolean admitClientAddress(Channel connection, InetAddress address) {
        if (perAddress == null || !clientAddressLater || address == null) {
            return true;
        }
        if (!perAddress.tryOpen(address)) {
            refusedPerAddress.incrementAndGet();
            return false;
        }
        connection.closeFuture().addListener(closed -> perAddress.closed(address));
        return true;
    }

    /**
     * Not yet registered with any event loop: the socket is closed directly, as Netty's own acceptor does when it
     * cannot register a connection (its close future is then never completed: nothing was counted for it).
     */
    private static void refuse(Channel connection) {
        connection.unsafe().closeForcibly();
    }

    private static InetAddress addressOf(SocketAddress remote) {
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    public int maxConnections() {
        return maxConnections;
    }

    /** Connections currently open. */
    public int open() {
        return open.get();
    }

    /** Connections refused since start because the total was reached. */
    public long refused() {
        return refused.get();
    }

    /** Open connections allowed from one client address; 0 when there is no such cap. */
    public int maxPerClientAddress() {
        return perAddress == null ? 0 : perAddress.maxPerAddress();
    }

    /** Connections refused since start because their client address had the most it may have open. */
    public long refusedPerClientAddress() {
        return refusedPerAddress.get();
    }

    /** Client addresses with connections open, when the per-address cap is on (else 0). */
    public int clientAddresses() {
        return perAddress == null ? 0 : perAddress.addresses();
    }
}
