package io.ingressgateway.gateway.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.springframework.web.server.ServerWebExchange;

/**
 * The address of the client a request comes from, as every per-client feature must see it (allow and deny lists, rate
 * limits, hashing on {@code $remote_addr}, {@code X-Forwarded-For} and {@code X-Real-IP} sent upstream).
 *
 * <p>It is the connection's peer unless something earlier in the exchange established a truer one and stored it here
 * (the address a trusted proxy vouches for). Reading it through this class, never from
 * {@code request.getRemoteAddress()} directly, is what keeps every feature agreeing on who the client is.
 */
public final class ClientAddress {

    /** Exchange attribute holding the resolved client address, when it is not the connection's peer. */
    public static final String ATTRIBUTE = ClientAddress.class.getName();

    private ClientAddress() {
    }

    /** The client's address; null only when the connection has none (a test exchange, a Unix socket). */
    public static InetAddress of(ServerWebExchange exchange) {
        Object resolved = exchange.getAttributes().get(ATTRIBUTE);
        if (resolved instanceof InetAddress address) {
            return address;
        }
        InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
        return peer == null ? null : peer.getAddress();
    }

    /**
     * The client's address as text ({@code 192.0.2.7}, {@code 2001:db8::1}), without an IPv6 scope ({@code %eth0}),
     * which means nothing beyond this host; null when there is none.
     */
    public static String text(ServerWebExchange exchange) {
        return text(of(exchange));
    }

    /** An address as {@link #text(ServerWebExchange)} writes the client's; null for null. */
    public static String text(InetAddress address) {
        if (address == null) {
            return null;
        }
        String ip = address.getHostAddress();
        int scope = ip.indexOf('%');
        return scope >= 0 ? ip.substring(0, scope) : ip;
    }

    /** Records the address a trusted source says the client has; only the client-address resolution calls this. */
    public static void establish(ServerWebExchange exchange, InetAddress address) {
        exchange.getAttributes().put(ATTRIBUTE, address);
    }
}
