package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.tls.TestCertificates.Issued;
import io.ingressgateway.tls.TestCertificates.KeyFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.netty.tcp.SslProvider;

/** SNI selection and the default certificate, without a server: which TLS setup each name gets. */
class SniCertificatesTest {

    static final IngressRef WEB = new IngressRef("ns", "web");

    static IngressGatewayProperties.Tls settings(String defaultCertificate) {
        return new IngressGatewayProperties.Tls(true, 0, defaultCertificate, List.of("TLSv1.3", "TLSv1.2"),
                List.of(), Duration.ofSeconds(10), 443, 308,
                new IngressGatewayProperties.Tls.Hsts(true, Duration.ofDays(182), true, false));
    }

    static TlsCertificate certificate(Issued issued) throws Exception {
        return PemCertificates.parse("ns/" + issued.commonName(), issued.certificatePem(), issued.keyPem());
    }

    static PipelineState state(List<Secret> secrets, TlsHost... hosts) {
        RouteModel model = new RouteModel(List.of(), Map.of(), null, List.of(), 1,
                new TlsModel(List.of(hosts), Set.of(), Set.of()));
        return new PipelineState(new ClusterSnapshot(List.of(), List.of(), List.of(), List.of(), secrets, 1), model);
    }

    @Test
    void selectsExactThenOneLabelWildcardThenTheDefault() throws Exception {
        SniCertificates sni = new SniCertificates(settings(""));
        TlsCertificate exact = certificate(TestCertificates.issue("exact", KeyFormat.EC_PKCS8, "a.example.com"));
        TlsCertificate wildcard = certificate(TestCertificates.issue("wild", KeyFormat.EC_PKCS8, "*.example.com"));
        sni.onModel(state(List.of(),
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

        // An unchanged certificate keeps its TLS context across models.
        sni.onModel(state(List.of(), new TlsHost(HostMatch.of("a.example.com"), WEB, "ns/exact", exact, null)));
        assertThat(sni.select("a.example.com")).isSameAs(exactProvider);
        assertThat(sni.select("b.example.com")).isSameAs(sni.defaultProvider());
    }

    @Test
    void servesTheConfiguredDefaultSecretAndFallsBackToSelfSignedWhileItIsUnusable() throws Exception {
        Issued configured = TestCertificates.issue("default.example.com", KeyFormat.RSA_PKCS1);
        SniCertificates sni = new SniCertificates(settings("ops/default-cert"));

        sni.onModel(state(List.of(TestCertificates.secret("ops", "default-cert", configured))));
        assertThat(sni.defaultCertificate().leaf()).isEqualTo(configured.certificate());
        assertThat(sni.defaultCertificate().source()).isEqualTo("ops/default-cert");

        sni.onModel(state(List.of(TestCertificates.secret("ops", "default-cert", "garbage", configured.keyPem()))));
        assertThat(sni.defaultCertificate().source()).isEqualTo(SelfSignedCertificate.SOURCE);
        assertThat(sni.defaultReason()).contains("ops/default-cert").contains("tls.crt");

        sni.onModel(state(List.of()));
        assertThat(sni.defaultReason()).contains("not found");
    }
}
