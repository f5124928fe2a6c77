package io.ingressgateway.gateway.client;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;

/**
 * The source address a connection's PROXY protocol header declared, kept on the connection's channel for its whole
 * life (the listener's PROXY handler sets it; {@link ClientAddressWebFilter} reads it for each request, judging whether
 * the peer that sent it is to be believed).
 */
public final class ProxyProtocolAddress {

    private static final AttributeKey<InetAddress> SOURCE = AttributeKey.valueOf(ProxyProtocolAddress.class.getName());

    private ProxyProtocolAddress() {
    }

    /** Records what the connection's PROXY header declared. */
    public static void record(Channel connection, InetAddress source) {
        connection.attr(SOURCE).set(source);
    }

    /**
     * What the PROXY header of the connection carrying {@code channel} declared (an HTTP/2 stream's connection is its
     * parent), or null when none did.
     */
    public static InetAddress of(Channel channel) {
        for (Channel current = channel; current != null; current = current.parent()) {
            InetAddress source = current.attr(SOURCE).get();
            if (source != null) {
                return source;
            }
        }
        return null;
    }
}
