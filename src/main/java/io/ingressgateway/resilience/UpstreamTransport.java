package io.ingressgateway.resilience;

import io.ingressgateway.model.policy.BackendProtocolPolicy.Protocol;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.tcp.SslProvider;

/**
 * How requests reach the upstreams of routes with a {@code backend-protocol} other than HTTP: HTTP/1.1 over TLS
 * ({@code HTTPS}), HTTP/2 with prior knowledge ({@code GRPC}), or HTTP/2 over TLS negotiated with ALPN ({@code GRPCS}),
 * with the TLS context of one {@link UpstreamTlsPolicy} and expected name, built once here and shared by every route
 * asking the same ({@link UpstreamTransports}).
 *
 * <p>A client derived from a guard's client keeps that client's connection pool; Reactor Netty keys pooled connections
 * by address and by a hash of the client's configuration, protocols and TLS provider included, so an HTTP/1.1
 * connection, an h2c one and TLS connections of different contexts to the same endpoint are pooled apart.
 */
final class UpstreamTransport {

    /** Guards' clients are one per pair of timeouts: past this many, the derived clients are simply forgotten. */
    static final int MAX_BASES = 256;

    private final Protocol protocol;
    private final SslProvider ssl;
    private final ConcurrentHashMap<HttpClient, HttpClient> byBase = new ConcurrentHashMap<>();

    /**
     * @param tls          the route's TLS policy (only read for a TLS protocol)
     * @param expectedName the name the upstream's certificate must be valid for, and the SNI when it is sent
     */
    UpstreamTransport(Protocol protocol, UpstreamTlsPolicy tls, String expectedName) {
        this.protocol = protocol;
        this.ssl = protocol.secure() ? sslProvider(protocol, tls, expectedName) : null;
    }

    Protocol protocol() {
        return protocol;
    }

    /** {@code base} (a guard's client) speaking this transport; derived once per base. */
    HttpClient client(HttpClient base) {
        HttpClient derived = byBase.get(base);
        if (derived != null) {
            return derived;
        }
        if (byBase.size() >= MAX_BASES) {
            byBase.clear();
        }
        return byBase.computeIfAbsent(base, this::derive);
    }

    private HttpClient derive(HttpClient base) {
        return switch (protocol) {
            case HTTP -> base;
            case HTTPS -> base.protocol(HttpProtocol.HTTP11).secure(ssl);
            // h2c with prior knowledge: the only protocol configured, so no HTTP/1.1 upgrade is attempted.
            case GRPC -> base.protocol(HttpProtocol.H2C).noSSL();
            case GRPCS -> base.protocol(HttpProtocol.H2).secure(ssl);
        };
    }

    private static SslProvider sslProvider(Protocol protocol, UpstreamTlsPolicy tls, String expectedName) {
        SslContextBuilder builder = SslContextBuilder.forClient()
                // Names are checked by UpstreamTrustManager against the expected name, not the endpoint's address.
                .endpointIdentificationAlgorithm(null);
        if (tls.verify() || tls.refusesEveryCertificate()) {
            builder.trustManager(UpstreamTrustManager.verifying(tls, expectedName));
        } else {
            // nginx's default, proxy_ssl_verify off: any certificate is accepted.
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        if (tls.clientCertificate() != null) {
            builder.keyManager(tls.clientCertificate().privateKey(), tls.clientCertificate().chain());
        }
        if (!tls.protocols().isEmpty()) {
            builder.protocols(tls.protocols());
        }
        if (protocol == Protocol.GRPCS) {
            builder.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2));
        }
        SslContext context;
        try {
            context = builder.build();
        } catch (SSLException | RuntimeException e) {
            // A context every handshake of which fails: the route's requests get 502, never an unverified upstream.
            return sslProvider(protocol, tls.unusable("its TLS context cannot be built (" + e.getMessage() + ")"),
                    expectedName);
        }
        SslProvider.Builder ssl = SslProvider.builder().sslContext(context);
        if (tls.sendServerName()) {
            ssl.serverNames(new SNIHostName(expectedName));
        }
        return ssl.build();
    }
}
