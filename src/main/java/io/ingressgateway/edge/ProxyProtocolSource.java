package io.ingressgateway.edge;

import io.ingressgateway.gateway.client.ProxyProtocolAddress;
import io.ingressgateway.gateway.client.TrustedProxies;
import io.ingressgateway.model.IpAddresses;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import reactor.netty.NettyPipeline;

/**
 * Reads the source address of a connection's PROXY protocol header (v1 or v2, decoded by Reactor Netty's decoder just
 * before this handler) and keeps it on the connection for the requests it carries ({@link ProxyProtocolAddress}).
 *
 * <p>It is also where the per-client-address connection cap counts a connection of a PROXY listener: only now is the
 * client known. The address counted is the one the request filters will see: the PROXY header's when its sender may
 * say so, else the peer's. A connection past the cap is closed before any request of it is read.
 */
final class ProxyProtocolSource extends ChannelInboundHandlerAdapter {

    static final String HANDLER_NAME = "ingressGateway.proxyProtocolSource";

    private final TrustedProxies proxies;
    private final ConnectionLimit connectionLimit;

    ProxyProtocolSource(TrustedProxies proxies, ConnectionLimit connectionLimit) {
        this.proxies = proxies;
        this.connectionLimit = connectionLimit;
    }

    /** Installs a handler on a new connection, right after the PROXY decoder Reactor Netty put first. */
    static void install(Channel connection, TrustedProxies proxies, ConnectionLimit connectionLimit) {
        if (connection.pipeline().get(NettyPipeline.ProxyProtocolDecoder) != null) {
            connection.pipeline().addAfter(NettyPipeline.ProxyProtocolDecoder, HANDLER_NAME,
                    new ProxyProtocolSource(proxies, connectionLimit));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header) {
            ctx.pipeline().remove(this);
            Channel connection = ctx.channel();
            InetAddress peer = connection.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
            // A LOCAL header (a load balancer's health check) or an UNKNOWN family declares no source: the peer's.
            InetAddress declared = literal(header.sourceAddress());
            if (declared != null) {
                ProxyProtocolAddress.record(connection, declared);
            }
            boolean believed = declared != null && (proxies.isEmpty() || proxies.trusts(peer));
            if (!connectionLimit.admitClientAddress(connection, believed ? declared : peer)) {
                header.release();
                connection.close();
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private static InetAddress literal(String address) {
        if (address == null || address.isEmpty()) {
            return null;
        }
        byte[] bytes = IpAddresses.parse(address);
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
