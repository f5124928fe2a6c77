package io.ingressgateway.tls;

import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.ClientCertificatePolicy.Verify;
import io.ingressgateway.tls.ClientCertificateCheck.Verdict;
import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.SslInfo;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Client certificate authentication ({@code auth-tls-*}) of the request's host, as ingress-nginx's server-level
 * {@code ssl_verify_client}: the certificate the client presented in the handshake (asked for by
 * {@link ClientCertificateRequest} for the host's name) is checked against the host's CAs, and:
 * <ul>
 *   <li>{@code on}: none is a 400 "No required SSL certificate was sent", a failing one a 400 "The SSL certificate
 *       error" (nginx's 496 and 495, both answered as 400), or a 302 to {@code auth-tls-error-page};</li>
 *   <li>{@code optional}: none goes on, a failing one is refused as above;</li>
 *   <li>{@code optional_no_ca} and {@code off}: every request goes on;</li>
 *   <li>{@code auth-tls-match-cn}: a subject without a match is a 403, whatever the mode (nginx compares it even
 *       when there is no certificate);</li>
 *   <li>a host whose settings cannot be used (its Secret missing, a value unreadable) refuses everything (403).</li>
 * </ul>
 * The upstream is told the result in {@code ssl-client-verify}, {@code ssl-client-subject-dn},
 * {@code ssl-client-issuer-dn} and, when the Ingress asks, {@code ssl-client-cert}; whatever the client sent in these
 * headers is dropped.
 *
 * <p>Requests over plain HTTP to such a host have no certificate: where nginx serves them unchecked (its
 * {@code ssl_verify_client} applies to TLS connections only), here they are checked like a TLS request without one,
 * so an Ingress that asks for client certificates is never served without them.
 *
 * <p>The check runs once per connection and host policy; later requests on the connection reuse its verdict.
 */
public class ClientCertificateFilter implements GlobalFilter, Ordered {

    /** After redirects (a redirected request needs no certificate), before rate limits, allow lists and auth. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 135;

    static final String SSL_CLIENT_CERT = "ssl-client-cert";
    static final String SSL_CLIENT_VERIFY = "ssl-client-verify";
    static final String SSL_CLIENT_SUBJECT_DN = "ssl-client-subject-dn";
    static final String SSL_CLIENT_ISSUER_DN = "ssl-client-issuer-dn";
    private static final List<String> HEADERS = List.of(SSL_CLIENT_CERT, SSL_CLIENT_VERIFY, SSL_CLIENT_SUBJECT_DN,
            SSL_CLIENT_ISSUER_DN);

    /**
     * The last verdict on a connection, with the policy it was reached under.
     *
     * @param subjectMatches whether the certificate's subject has a match of the policy's {@code auth-tls-match-cn}
     *                       (true when it has none)
     */
    private record Cached(ClientCertificatePolicy policy, Verdict verdict, boolean subjectMatches) {
    }

    private static final AttributeKey<Cached> VERDICT = AttributeKey.valueOf(ClientCertificateFilter.class,
            "verdict");

    private final SniCertificates certificates;

    public ClientCertificateFilter(SniCertificates certificates) {
        this.certificates = certificates;
        ClientCertificateCheck.prepare();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!certificates.anyClientCertificates()) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest();
        ClientCertificatePolicy policy = certificates.clientCertificatePolicy(
                RequestHost.normalize(request.getHeaders().getFirst(HttpHeaders.HOST)));
        if (policy == null) {
            return chain.filter(exchange);
        }
        if (policy.problem() != null) {
            return GatewayErrorResponses.write(exchange, HttpStatus.FORBIDDEN,
                    "Client certificate authentication of this host is misconfigured");
        }
        Cached checked = check(request, policy);
        Verdict verdict = checked.verdict();
        boolean required = policy.verify() == Verify.ON;
        boolean mustPass = required || policy.verify() == Verify.OPTIONAL;
        if (required && verdict.result() == Verdict.Result.NONE) {
            return refuse(exchange, policy, "No required SSL certificate was sent");
        }
        if (mustPass && verdict.result() == Verdict.Result.FAILED) {
            return refuse(exchange, policy, "The SSL certificate error");
        }
        if (!checked.subjectMatches()) {
            return GatewayErrorResponses.write(exchange, HttpStatus.FORBIDDEN, "client certificate unauthorized");
        }
        ServerHttpRequest upstream = request.mutate().headers(headers -> {
            HEADERS.forEach(headers::remove);
            headers.set(SSL_CLIENT_VERIFY, verdict.verifyValue());
            // Without a certificate these are empty, and nginx sends no header whose value is empty.
            if (verdict.leaf() != null) {
                headers.set(SSL_CLIENT_SUBJECT_DN, verdict.subject());
                headers.set(SSL_CLIENT_ISSUER_DN, verdict.issuer());
                if (policy.passCertificate()) {
                    headers.set(SSL_CLIENT_CERT, verdict.escapedPem());
                }
            }
        }).build();
        return chain.filter(exchange.mutate().request(upstream).build());
    }

    private static Mono<Void> refuse(ServerWebExchange exchange, ClientCertificatePolicy policy, String message) {
        if (policy.errorPage() == null) {
            return GatewayErrorResponses.write(exchange, HttpStatus.BAD_REQUEST, message);
        }
        exchange.getResponse().setStatusCode(HttpStatus.FOUND);
        exchange.getResponse().getHeaders().setLocation(URI.create(policy.errorPage()));
        return exchange.getResponse().setComplete();
    }

    /** The verdict on the request's connection under {@code policy}: reused when already reached on it. */
    private static Cached check(ServerHttpRequest request, ClientCertificatePolicy policy) {
        Channel connection = connection(request);
        if (connection != null) {
            Cached cached = connection.attr(VERDICT).get();
            if (cached != null && cached.policy() == policy) {
                return cached;
            }
        }
        Verdict verdict = Verdict.NONE;
        if (policy.verify() != Verify.OFF) {
            SslInfo tls = request.getSslInfo();
            X509Certificate[] presented = tls == null ? null : tls.getPeerCertificates();
            verdict = ClientCertificateCheck.verify(presented, policy, new Date());
        }
        // As nginx's "$ssl_client_s_dn !~ <match-cn>": a match anywhere in the subject (RE2: linear time).
        boolean matches = policy.matchCn() == null
                || com.google.re2j.Pattern.compile(policy.matchCn()).matcher(verdict.subject()).find();
        Cached checked = new Cached(policy, verdict, matches);
        if (connection != null) {
            connection.attr(VERDICT).set(checked);
        }
        return checked;
    }

    /** The TCP connection's channel (an HTTP/2 request runs on a stream of it), or null when unknown. */
    private static Channel connection(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        if (nativeRequest instanceof Connection connection) {
            Channel channel = connection.channel();
            return channel instanceof Http2StreamChannel ? channel.parent() : channel;
        }
        return null;
    }
}
