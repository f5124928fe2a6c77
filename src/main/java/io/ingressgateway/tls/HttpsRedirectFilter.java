package io.ingressgateway.tls;

import io.ingressgateway.gateway.client.TrustedForwardedHeaders;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.route.ServedRoute;
import java.net.URI;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * HTTP to HTTPS redirects and HSTS, for requests the gateway routes (a global filter, so the management port is never
 * affected).
 *
 * <p>An HTTP request whose route asks for it (its {@link io.ingressgateway.model.policy.TlsRedirectPolicy} against the
 * TLS hosts; {@link TlsRedirects}) is answered with the configured redirect (308 by default, which keeps method and
 * body) to the same host, path and query on the HTTPS port clients see. ACME HTTP-01
 * challenges ({@value #ACME_CHALLENGE_PREFIX}) are never redirected, as in ingress-nginx, so certificates can be
 * issued for hosts that already redirect.
 *
 * <p>HTTPS responses for hosts with TLS carry {@code Strict-Transport-Security} when enabled, unless the upstream set
 * its own.
 */
public class HttpsRedirectFilter implements GlobalFilter, Ordered {

    static final String ACME_CHALLENGE_PREFIX = "/.well-known/acme-challenge/";
    static final String STRICT_TRANSPORT_SECURITY = "Strict-Transport-Security";

    private final TlsRedirects redirects;
    private final int redirectPort;
    private final HttpStatus redirectStatus;
    private final String hstsValue;

    public HttpsRedirectFilter(TlsRedirects redirects, IngressGatewayProperties.Tls settings) {
        this.redirects = redirects;
        this.redirectPort = settings.redirectPort();
        this.redirectStatus = redirectStatus(settings.redirectCode());
        IngressGatewayProperties.Tls.Hsts hsts = settings.hsts();
        this.hstsValue = hsts.enabled() ? hstsValue(hsts) : null;
    }

    static HttpStatus redirectStatus(int code) {
        HttpStatus status = HttpStatus.resolve(code);
        if (status == null || !(code == 301 || code == 302 || code == 307 || code == 308)) {
            throw new IllegalArgumentException("ingress-gateway.tls.redirect-code must be 301, 302, 307 or 308, not "
                    + code);
        }
        return status;
    }

    static String hstsValue(IngressGatewayProperties.Tls.Hsts hsts) {
        StringBuilder value = new StringBuilder("max-age=").append(hsts.maxAge().toSeconds());
        if (hsts.includeSubdomains()) {
            value.append("; includeSubDomains");
        }
        if (hsts.preload()) {
            value.append("; preload");
        }
        return value.toString();
    }

    @Override
    public int getOrder() {
        // Before anything that does work for the upstream: a redirected request never reaches it.
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String hostHeader = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (request.getSslInfo() != null) {
            if (hstsValue != null && redirects.hasTls(hostHeader)) {
                ServerHttpResponse response = exchange.getResponse();
                response.beforeCommit(() -> {
                    if (!response.getHeaders().containsHeader(STRICT_TRANSPORT_SECURITY)) {
                        response.getHeaders().set(STRICT_TRANSPORT_SECURITY, hstsValue);
                    }
                    return Mono.empty();
                });
            }
            return chain.filter(exchange);
        }
        if (TrustedForwardedHeaders.of(exchange) != null
                && "https".equalsIgnoreCase(TrustedForwardedHeaders.scheme(exchange))) {
            // A trusted proxy in front took it over HTTPS (use-forwarded-headers): redirecting would loop.
            return chain.filter(exchange);
        }
        String path = request.getURI().getRawPath();
        // Most models redirect nothing: then the request's route is not even looked at.
        if (hostHeader == null || !redirects.anyRedirect() || path.startsWith(ACME_CHALLENGE_PREFIX)
                || !redirects.redirects(ServedRoute.of(exchange, exchange.getAttribute(GATEWAY_ROUTE_ATTR)),
                        hostHeader, path)) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(redirectStatus);
        response.getHeaders().setLocation(location(hostHeader, path, request.getURI().getRawQuery()));
        return response.setComplete();
    }

    /** The HTTPS URL of a request: its host without the HTTP port, the HTTPS port unless 443, path and query as sent. */
    URI location(String hostHeader, String rawPath, String rawQuery) {
        String host = hostWithoutPort(hostHeader.trim());
        StringBuilder url = new StringBuilder("https://").append(host);
        if (redirectPort != 443) {
            url.append(':').append(redirectPort);
        }
        url.append(rawPath.isEmpty() ? "/" : rawPath);
        if (rawQuery != null) {
            url.append('?').append(rawQuery);
        }
        return URI.create(url.toString());
    }

    static String hostWithoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.indexOf(':');
        return colon >= 0 && colon == host.lastIndexOf(':') ? host.substring(0, colon) : host;
    }
}
