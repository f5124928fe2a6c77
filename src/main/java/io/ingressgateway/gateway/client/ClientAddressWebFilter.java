package io.ingressgateway.gateway.client;

import io.ingressgateway.config.IngressGatewayProperties;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Decides once per request who the client is, before anything else reads it ({@link ClientAddress}), as
 * ingress-nginx's realip settings do:
 * <ol>
 *   <li>the connection's peer;</li>
 *   <li>with {@code use-proxy-protocol}, the source address of the connection's PROXY header instead, when the peer
 *       may say so (any peer while {@code proxy-real-ip-cidr} is empty, else only a listed one);</li>
 *   <li>with {@code use-forwarded-headers}, when that address is a trusted proxy's, the address its
 *       {@code forwarded-for-header} names ({@link ForwardedForChain}), and its {@code X-Forwarded-Proto},
 *       {@code -Host} and {@code -Port} are passed upstream ({@link TrustedForwardedHeaders}).</li>
 * </ol>
 * A sender that is not trusted is never believed: its forwarded headers are replaced upstream by the gateway's own.
 */
public final class ClientAddressWebFilter implements WebFilter, Ordered {

    /** First of all: every later filter, web or gateway, may ask who the client is. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

    private static final Logger log = LoggerFactory.getLogger(ClientAddressWebFilter.class);

    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    static final String X_FORWARDED_PORT = "X-Forwarded-Port";

    private final boolean useProxyProtocol;
    private final boolean useForwardedHeaders;
    private final String forwardedForHeader;
    private final boolean computeFullForwardedFor;
    private final TrustedProxies proxies;

    public ClientAddressWebFilter(IngressGatewayProperties.ClientAddress settings) {
        this.useProxyProtocol = settings.useProxyProtocol();
        this.useForwardedHeaders = settings.useForwardedHeaders();
        this.forwardedForHeader = settings.forwardedForHeader();
        this.computeFullForwardedFor = settings.computeFullForwardedFor();
        this.proxies = TrustedProxies.of(settings.proxyRealIpCidr());
        if (useForwardedHeaders && proxies.isEmpty()) {
            log.warn("ingress-gateway.client-address.use-forwarded-headers is on but proxy-real-ip-cidr lists no"
                    + " trusted proxy: no forwarded header is believed until the proxies in front are listed");
        }
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        Channel channel = channelOf(request);
        InetAddress peer = channel != null ? addressOf(channel.remoteAddress()) : addressOf(request.getRemoteAddress());
        InetAddress sender = peer;
        if (useProxyProtocol && channel != null) {
            InetAddress declared = ProxyProtocolAddress.of(channel);
            if (declared != null && (proxies.isEmpty() || proxies.trusts(peer))) {
                sender = declared;
            }
        }
        InetAddress client = sender;
        if (useForwardedHeaders && proxies.trusts(sender)) {
            HttpHeaders headers = request.getHeaders();
            List<String> chainValues = headers.getOrEmpty(forwardedForHeader);
            client = ForwardedForChain.client(sender, chainValues, proxies);
            TrustedForwardedHeaders.store(exchange, new TrustedForwardedHeaders(
                    computeFullForwardedFor ? fullChain(chainValues, sender) : null,
                    blankToNull(headers.getFirst(X_FORWARDED_PROTO)),
                    firstHost(headers.getFirst(X_FORWARDED_HOST)),
                    blankToNull(headers.getFirst(X_FORWARDED_PORT))));
        }
        if (client != null) {
            // Always stored when known: with the PROXY protocol on, the request's own remote address is the PROXY
            // header's, even when its sender is not to be believed.
            ClientAddress.establish(exchange, client);
        }
        return chain.filter(exchange);
    }

    /** ingress-nginx's {@code $full_x_forwarded_for}: the incoming chain, then the address that sent it. */
    static String fullChain(List<String> incoming, InetAddress sender) {
        String senderText = ClientAddress.text(sender);
        String chainText = String.join(", ", incoming).trim();
        if (senderText == null) {
            return chainText.isEmpty() ? null : chainText;
        }
        return chainText.isEmpty() ? senderText : chainText + ", " + senderText;
    }

    /** The first of a comma-separated {@code X-Forwarded-Host}, as ingress-nginx takes it; null when none. */
    static String firstHost(String value) {
        if (value == null) {
            return null;
        }
        int comma = value.indexOf(',');
        return blankToNull(comma < 0 ? value : value.substring(0, comma));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** The Netty channel a request came on (an HTTP/2 stream's), or null outside Reactor Netty (mock exchanges). */
    private static Channel channelOf(ServerHttpRequest request) {
        try {
            Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
            return nativeRequest instanceof Connection connection ? connection.channel() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static InetAddress addressOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
