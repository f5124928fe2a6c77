package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.support.Models;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.translate.certificates.PemCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.netty.tcp.SslProvider;

/** SNI selection and the default certificate, without a server: which TLS setup each name gets. */
class SniCertificatesTest {

    static final IngressRef WEB = new IngressRef("ns", "web");

    static IngressGatewayProperties.Tls settings(String defaultCertificate) {
        return new IngressGatewayProperties.Tls(true, 0, defaultCertificate, List.of("TLSv1.3", "TLSv1.2"),
                List.of(), Duration.ofSeconds(10), 443, 308,
                new IngressGatewayProperties.Tls.Hsts(true, Duration.ofDays(182), true, false),
                new IngressGatewayProperties.Tls.Http2(128, DataSize.ofKilobytes(32), 200, 200,
                        Duration.ofSeconds(30)));
    }

    static TlsCertificate certificate(Issued issued) throws Exception {
        return PemCertificates.parse("ns/" + issued.commonName(), issued.certificatePem(), issued.keyPem());
    }

    static PipelineState state(TlsModel.DefaultCertificate defaultCertificate, TlsHost... hosts) {
        return Models.state(new RouteModel(List.of(), Map.of(), null, List.of(), 1,
                new TlsModel(List.of(hosts), Set.of(), defaultCertificate)));
    }

    @Test
    void selectsExactThenOneLabelWildcardThenTheDefault() throws Exception {
        SniCertificates sni = new SniCertificates(settings(""));
        TlsCertificate exact = certificate(TestCertificates.issue("exact", KeyFormat.EC_PKCS8, "a.example.com"));
        TlsCertificate wildcard = certificate(TestCertificates.issue("wild", KeyFormat.EC_PKCS8, "*.example.com"));
        sni.onModel(state(null,
                new TlsHost(HostMatch.of("a.example.com"), WEB, "ns/exact", exact, null),
                new TlsHost(HostMatch.of("*.example.com"), WEB, "ns/wild", wildcard, null),
                new TlsHost(HostMatch.of("broken.example.com"), WEB, "ns/broken", null, "Secret ns/broken: bad")));

        SslProvider exactProvider = sni.select("a.example.com");
        SslProvider wildcardProvider = sni.select("b.example.com");
        assertThat(exactProvider).isNotSameAs(wildcardProvider);
        assertThat(sni.select("A.Example.COM.")).as("case and trailing dot").isSameAs(exactProvider);
        assertThat(sni.select("c.example.com")).isSameAs(wildcardProvider);
        assertThat(sni.select("x.b.example.com")).isSameAs(sni.defaultProvider());
        assertThat(sni.select("example.com")).isSameAs(sni.defaultProvider());
        assertThat(sni.select(null)).isSameAs(sni.defaultProvider());
        assertThat(sni.select("broken.example.com")).as("exact fallback beats the wildcard")
                .isSameAs(sni.defaultProvider());
        assertThat(sni.defaultCertificate().source()).isEqualTo(SelfSignedCertificate.SOURCE);
        assertThat(sni.served()).extracting(SniCertificates.Served::reason)
                .containsExactly("Secret ns/exact", "Secret ns/wild", "default certificate: Secret ns/broken: bad");

        // What the 421 check asks: which hosts have a TLS rule (their own certificate or the default in its place).
        assertThat(sni.servesOverTls("a.example.com")).isTrue();
        assertThat(sni.servesOverTls("c.example.com")).isTrue();
        assertThat(sni.servesOverTls("broken.example.com")).isTrue();
        assertThat(sni.servesOverTls("x.b.example.com")).isFalse();
        assertThat(sni.servesOverTls("example.com")).isFalse();
        assertThat(sni.servesOverTls("plain.test")).isFalse();

        // An unchanged certificate keeps its TLS context across models.
        sni.onModel(state(null, new TlsHost(HostMatch.of("a.example.com"), WEB, "ns/exact", exact, null)));
        assertThat(sni.select("a.example.com")).isSameAs(exactProvider);
        assertThat(sni.select("b.example.com")).isSameAs(sni.defaultProvider());
    }

    @Test
    void servesTheConfiguredDefaultCertificateAndFallsBackToSelfSignedWhileItIsUnusable() throws Exception {
        Issued configured = TestCertificates.issue("default.example.com", KeyFormat.RSA_PKCS1);
        TlsCertificate certificate = PemCertificates.parse("ops/default-cert", configured.certificatePem(),
                configured.keyPem());
        SniCertificates sni = new SniCertificates(settings("ops/default-cert"));

        sni.onModel(state(new TlsModel.DefaultCertificate("ops/default-cert", certificate, null)));
        assertThat(sni.defaultCertificate().leaf()).isEqualTo(configured.certificate());
        assertThat(sni.defaultCertificate().source()).isEqualTo("ops/default-cert");
        assertThat(sni.defaultReason()).isEqualTo("configured default certificate");
        assertThat(sni.select(null)).isSameAs(sni.defaultProvider());

        sni.onModel(state(new TlsModel.DefaultCertificate("ops/default-cert", null,
                "Secret ops/default-cert: tls.crt is not a valid PEM certificate chain")));
        assertThat(sni.defaultCertificate().source()).isEqualTo(SelfSignedCertificate.SOURCE);
        assertThat(sni.defaultReason()).contains("ops/default-cert").contains("tls.crt")
                .contains("self-signed certificate served instead");

        sni.onModel(state(new TlsModel.DefaultCertificate("ops/default-cert", null,
                "Secret ops/default-cert not found")));
        assertThat(sni.defaultReason()).contains("not found");

        sni.onModel(state(null));
        assertThat(sni.defaultReason()).isEqualTo("no default certificate configured");
    }
}
