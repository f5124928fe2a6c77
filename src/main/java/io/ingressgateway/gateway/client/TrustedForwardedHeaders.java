package io.ingressgateway.gateway.client;

import org.springframework.web.server.ServerWebExchange;

/**
 * What a trusted proxy said about the request it forwarded, to be passed on upstream as ingress-nginx does with
 * {@code use-forwarded-headers}: the scheme, host and port the client used at the proxy, and, with
 * {@code compute-full-forwarded-for}, the forwarded-for chain with the proxy appended. Only ever stored for a request
 * whose sender is a trusted proxy; otherwise the gateway's own values go upstream.
 *
 * @param forwardedFor the {@code X-Forwarded-For} to send, or null for the client's address alone
 * @param proto        the incoming {@code X-Forwarded-Proto}, or null when none came
 * @param host         the first host of the incoming {@code X-Forwarded-Host}, or null when none came
 * @param port         the incoming {@code X-Forwarded-Port}, or null when none came
 */
public record TrustedForwardedHeaders(String forwardedFor, String proto, String host, String port) {

    static final String ATTRIBUTE = TrustedForwardedHeaders.class.getName();

    /** What the request's trusted proxy said, or null when it came from no trusted proxy (or forwarding is off). */
    public static TrustedForwardedHeaders of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    static void store(ServerWebExchange exchange, TrustedForwardedHeaders headers) {
        exchange.getAttributes().put(ATTRIBUTE, headers);
    }

    /** The scheme the client used: the trusted proxy's word when it gave one, else the connection's. */
    public static String scheme(ServerWebExchange exchange) {
        TrustedForwardedHeaders trusted = of(exchange);
        if (trusted != null && trusted.proto() != null) {
            return trusted.proto();
        }
        return exchange.getRequest().getSslInfo() != null ? "https" : "http";
    }
}
