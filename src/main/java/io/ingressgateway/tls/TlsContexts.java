package io.ingressgateway.tls;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.model.TlsCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.tcp.SslProvider;

/**
 * Builds the server TLS setup of one certificate: the configured protocols and ciphers, and ALPN offering HTTP/2 then
 * HTTP/1.1. Builds are kept by certificate fingerprint, so a model change that leaves a certificate alone reuses its
 * context (and its session cache). Used from the pipeline thread only.
 */
final class TlsContexts {

    /**
     * Modern suites, as Mozilla's "intermediate" profile: TLS 1.3's, then ECDHE with AEAD for TLS 1.2. They are
     * also the suites HTTP/2 allows (RFC 7540, 9.2.2). JDK names.
     */
    static final List<String> MODERN_CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final List<String> protocols;
    private final List<String> ciphers;
    private final Duration handshakeTimeout;
    private Map<String, SslProvider> built = new HashMap<>();

    TlsContexts(IngressGatewayProperties.Tls settings) {
        this.protocols = List.copyOf(settings.protocols());
        this.ciphers = settings.ciphers().isEmpty() ? MODERN_CIPHERS : List.copyOf(settings.ciphers());
        this.handshakeTimeout = settings.handshakeTimeout();
    }

    /** Starts a generation: providers not asked for again by the next {@link #retainRequested()} are dropped. */
    Generation generation() {
        return new Generation();
    }

    final class Generation {
        private final Map<String, SslProvider> requested = new HashMap<>();

        SslProvider providerFor(TlsCertificate certificate) {
            return requested.computeIfAbsent(certificate.fingerprint(), fingerprint -> {
                SslProvider existing = built.get(fingerprint);
                return existing != null ? existing : build(certificate, null);
            });
        }

        /** The setup serving {@code certificate} that asks each client for a certificate issued by {@code issuers}. */
        SslProvider providerFor(TlsCertificate certificate, List<X509Certificate> issuers) {
            String key = certificate.fingerprint() + "+client:" + ClientCertificateRequest.fingerprint(issuers);
            return requested.computeIfAbsent(key, fingerprint -> {
                SslProvider existing = built.get(fingerprint);
                return existing != null ? existing : build(certificate, new ClientCertificateRequest(issuers));
            });
        }

        void retainRequested() {
            built = new HashMap<>(requested);
        }
    }

    SslProvider build(TlsCertificate certificate) {
        return build(certificate, null);
    }

    /**
     * @param clientCertificates null to ask clients for nothing; else asks each for a certificate (optionally: the
     *                           request's host decides what a missing or failing one means, as nginx does after its
     *                           handshake) and accepts whatever it presents for {@code ClientCertificateFilter} to check
     */
    private SslProvider build(TlsCertificate certificate, ClientCertificateRequest clientCertificates) {
        Http2SslContextSpec spec = Http2SslContextSpec.forServer(certificate.privateKey(), certificate.chain())
                .configure(builder -> {
                    if (clientCertificates != null) {
                        builder.clientAuth(ClientAuth.OPTIONAL).trustManager(clientCertificates);
                    }
                })
                .configure(builder -> builder
                        .protocols(protocols.toArray(String[]::new))
                        .ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE)
                        .applicationProtocolConfig(new ApplicationProtocolConfig(
                                ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)));
        return SslProvider.builder().sslContext(spec).handshakeTimeout(handshakeTimeout).build();
    }
}
