package io.ingressgateway.gateway.filter;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.client.TrustedForwardedHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells the upstream who the client is, as ingress-nginx does by default: the gateway is the edge, so whatever the
 * client sent in these headers is replaced, never appended to (a client could otherwise choose its own IP). Only a
 * trusted proxy's word is passed on ({@code use-forwarded-headers}, {@link TrustedForwardedHeaders}): its
 * {@code X-Forwarded-Proto}, {@code -Host} and {@code -Port}, and with {@code compute-full-forwarded-for} its
 * forwarded-for chain with itself appended; the client's address is always {@link ClientAddress}'s. Applies
 * to proxied HTTP requests and WebSocket upgrades alike (both routing filters run every {@link HttpHeadersFilter}).
 *
 * <p>The client's {@code Forwarded} and {@code X-Forwarded-Prefix} are dropped for the same reason: frameworks honour
 * them when building URLs. An {@code X-Forwarded-Prefix} the route's Ingress asks for ({@code x-forwarded-prefix},
 * {@link PathRewriteFilter}) is sent instead. An incoming {@code X-Request-ID} is kept when it is a plain token, so a request can be
 * traced through several proxies.
 *
 * <p>{@code X-Forwarded-Port} is the port clients connected to for the request's scheme, as the operator configured it
 * (the Service's ports, 80 and 443 by default, not the container's 8080 and 8443): never the client's Host header,
 * which is the client's to choose.
 *
 * <p>Runs last among the header filters, after the gateway's hop-by-hop filter: that one deletes every header the
 * client names in {@code Connection}, and {@code Connection: X-Forwarded-For} would otherwise delete the values set
 * here and let the upstream see the gateway's address as the client's.
 */
@Component
public class ProxyHeadersFilter implements HttpHeadersFilter, Ordered {

    public static final String X_FORWARDED_FOR = "X-Forwarded-For";
    public static final String X_REAL_IP = "X-Real-IP";
    public static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    public static final String X_FORWARDED_SCHEME = "X-Forwarded-Scheme";
    public static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    public static final String X_FORWARDED_PORT = "X-Forwarded-Port";
    public static final String X_FORWARDED_PREFIX = "X-Forwarded-Prefix";
    public static final String FORWARDED = "Forwarded";
    public static final String X_REQUEST_ID = "X-Request-ID";

    /** Exchange attribute holding the request id sent upstream, for logs. */
    public static final String REQUEST_ID_ATTR = ProxyHeadersFilter.class.getName() + ".requestId";

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    private final String httpPort;
    private final String httpsPort;

    /** With the ports of a Service that exposes 80 and 443. */
    public ProxyHeadersFilter() {
        this(80, 443);
    }

    /**
     * @param httpPort  the port clients use for HTTP ({@code ingress-gateway.listener.public-port})
     * @param httpsPort the port clients use for HTTPS ({@code ingress-gateway.tls.redirect-port})
     */
    public ProxyHeadersFilter(int httpPort, int httpsPort) {
        this.httpPort = Integer.toString(httpPort);
        this.httpsPort = Integer.toString(httpsPort);
    }

    @Autowired
    public ProxyHeadersFilter(IngressGatewayProperties properties) {
        this(properties.listener().publicPort(), properties.tls().redirectPort());
    }

    @Override
    public int getOrder() {
        // After every other header filter, the hop-by-hop one (LOWEST_PRECEDENCE - 1) included: these values are the
        // ones sent, whatever the client's Connection header names.
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(input);
        boolean secure = request.getSslInfo() != null;
        String scheme = secure ? "https" : "http";
        // The client's Host, also when upstream-vhost replaced the request's (ingress-nginx's $best_http_host).
        String clientHost = exchange.getAttribute(UpstreamVhostFilter.CLIENT_HOST_ATTR);
        String host = clientHost != null ? clientHost : request.getHeaders().getFirst(HttpHeaders.HOST);

        // What a trusted proxy in front said (use-forwarded-headers); null for everyone else, whose are replaced.
        TrustedForwardedHeaders trusted = TrustedForwardedHeaders.of(exchange);
        String clientIp = ClientAddress.text(exchange);
        if (clientIp != null) {
            headers.set(X_FORWARDED_FOR, trusted != null && trusted.forwardedFor() != null
                    ? trusted.forwardedFor() : clientIp);
            headers.set(X_REAL_IP, clientIp);
        } else {
            headers.remove(X_FORWARDED_FOR);
            headers.remove(X_REAL_IP);
        }
        if (trusted != null && trusted.proto() != null) {
            scheme = trusted.proto();
        }
        if (trusted != null && trusted.host() != null) {
            host = trusted.host();
        }
        headers.set(X_FORWARDED_PROTO, scheme);
        headers.set(X_FORWARDED_SCHEME, scheme);
        if (host != null && !host.isBlank()) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.set(X_FORWARDED_PORT, trusted != null && trusted.port() != null ? trusted.port()
                : secure ? httpsPort : httpPort);
        headers.remove(FORWARDED);
        // The client's never goes through; the route's does, when its Ingress asks for one (PathRewriteFilter).
        String prefix = exchange.getAttribute(PathRewriteFilter.X_FORWARDED_PREFIX_ATTR);
        if (prefix != null) {
            headers.set(X_FORWARDED_PREFIX, prefix);
        } else {
            headers.remove(X_FORWARDED_PREFIX);
        }
        headers.set(X_REQUEST_ID, requestId(exchange));
        return headers;
    }

    /** The id sent upstream: the client's when it is sane, else a new one; the same for the whole exchange. */
    public static String requestId(ServerWebExchange exchange) {
        Object known = exchange.getAttributes().get(REQUEST_ID_ATTR);
        if (known instanceof String id) {
            return id;
        }
        String incoming = exchange.getRequest().getHeaders().getFirst(X_REQUEST_ID);
        String id = isSaneRequestId(incoming) ? incoming : newRequestId();
        exchange.getAttributes().put(REQUEST_ID_ATTR, id);
        return id;
    }

    /**
     * The id of a request as {@link #requestId(ServerWebExchange)} gave it, from the exchange's attributes, without
     * keeping a new one: the one sent upstream, else the client's when it is sane, else a new one (a request the
     * gateway answered itself, as ingress-nginx's {@code $req_id}).
     */
    public static String requestIdOf(Map<String, Object> attributes, HttpHeaders requestHeaders) {
        Object known = attributes.get(REQUEST_ID_ATTR);
        if (known instanceof String id) {
            return id;
        }
        String incoming = requestHeaders.getFirst(X_REQUEST_ID);
        return isSaneRequestId(incoming) ? incoming : newRequestId();
    }

    /** A plain token of 1 to 128 characters: letters, digits, '.', '_' or '-'. */
    static boolean isSaneRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!plain) {
                return false;
            }
        }
        return true;
    }

    /**
     * 128 random bits as 32 hex digits, like ingress-nginx's {@code $req_id}. An id only needs to be unique, not
     * unpredictable, so it comes from the thread's own generator: {@code UUID.randomUUID()} would take a lock on the
     * shared SecureRandom for every request.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] hex = new byte[32];
        writeHex(random.nextLong(), hex, 0);
        writeHex(random.nextLong(), hex, 16);
        return new String(hex, StandardCharsets.ISO_8859_1);
    }

    private static void writeHex(long value, byte[] out, int offset) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

}
