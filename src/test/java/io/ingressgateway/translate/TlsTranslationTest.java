package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.translate;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.Models;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.tls.TlsRedirects;
import io.ingressgateway.translate.annotations.TlsRedirectAnnotations;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code spec.tls} and the redirect annotations, translated (see {@link TlsRules} and {@link TlsRedirectAnnotations}),
 * and what the data plane's redirect index makes of the model.
 */
class TlsTranslationTest {

    static final Issued CERT = TestCertificates.issue("shop.test", KeyFormat.EC_PKCS8, "shop.test", "*.shop.test");
    static final Issued OTHER = TestCertificates.issue("other.test", KeyFormat.EC_PKCS8, "other.test");

    static IngressTLS tls(String secretName, String... hosts) {
        return new IngressTLSBuilder().withSecretName(secretName).withHosts(hosts).build();
    }

    static Ingress web(String name, String created, String host, Map<String, String> annotations,
                       IngressTLS... tls) {
        return ingress("ns", name, created).editMetadata().withAnnotations(annotations).endMetadata()
                .editSpec().withRules(rule(host, prefix("/", "app"))).withTls(tls).endSpec().build();
    }

    static RouteModel translateWith(List<Secret> secrets, Ingress... ingresses) {
        ClusterSnapshot services = Fixtures.snapshot(ingresses);
        return translate(new ClusterSnapshot(services.ingresses(), services.ingressClasses(), services.services(),
                services.endpointSlices(), secrets, services.revision()));
    }

    static final List<Secret> SECRETS = List.of(TestCertificates.secret("ns", "cert", CERT),
            TestCertificates.secret("ns", "other", OTHER));

    static Stream<Arguments> redirects() {
        String ours = TlsRedirectAnnotations.OUR_PREFIX;
        String nginx = TlsRedirectAnnotations.NGINX_PREFIX;
        return Stream.of(
                Arguments.of("host with TLS", Map.of(), true, true),
                Arguments.of("host without TLS", Map.of(), false, false),
                Arguments.of("opted out", Map.of(ours + "ssl-redirect", "false"), true, false),
                Arguments.of("opted out, ingress-nginx style", Map.of(nginx + "ssl-redirect", "false"), true, false),
                Arguments.of("ours wins over ingress-nginx's", Map.of(ours + "ssl-redirect", "true",
                        nginx + "ssl-redirect", "false"), true, true),
                Arguments.of("forced without TLS", Map.of(nginx + "force-ssl-redirect", "true"), false, true),
                Arguments.of("forced wins over opt-out", Map.of(ours + "force-ssl-redirect", "true",
                        ours + "ssl-redirect", "false"), false, true),
                Arguments.of("force false is no opt-out", Map.of(nginx + "force-ssl-redirect", "false"), true, true),
                Arguments.of("force false with opt-out", Map.of(nginx + "force-ssl-redirect", "false",
                        nginx + "ssl-redirect", "false"), true, false),
                Arguments.of("unreadable value ignored", Map.of(ours + "ssl-redirect", "no"), true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void redirects(String name, Map<String, String> annotations, boolean withTls, boolean redirected) {
        Ingress ingress = withTls ? web("web", null, "shop.test", annotations, tls("cert", "shop.test"))
                : web("web", null, "shop.test", annotations);

        RouteModel model = translateWith(SECRETS, ingress);

        // The route carries its Ingress's policy; the data plane holds it against the TLS hosts.
        TlsRedirectPolicy policy = model.virtualHosts().get(0).routes().get(0).policies()
                .getOrDefault(TlsRedirectPolicy.class, TlsRedirectPolicy.DEFAULTS);
        assertThat(policy.redirects(withTls)).as("route's policy redirects").isEqualTo(redirected);
        assertThat(redirects(model).redirects("shop.test", "/x")).as("route redirected").isEqualTo(redirected);
        if (withTls) {
            // Unmatched paths follow the TLS-declaring Ingress; force only concerns its routes.
            boolean optedOut = "false".equals(annotations.get(ours("ssl-redirect")))
                    || (!annotations.containsKey(ours("ssl-redirect"))
                    && "false".equals(annotations.get(TlsRedirectAnnotations.NGINX_PREFIX + "ssl-redirect")));
            assertThat(model.tls().redirectHosts().contains(HostMatch.of("shop.test")))
                    .as("unmatched paths of the host redirected").isEqualTo(!optedOut);
        }
    }

    static String ours(String name) {
        return TlsRedirectAnnotations.OUR_PREFIX + name;
    }

    /** The data plane's redirect answers for a model. */
    static TlsRedirects redirects(RouteModel model) {
        TlsRedirects redirects = new TlsRedirects();
        redirects.onModel(Models.state(model));
        return redirects;
    }

    @Test
    void readsTheConfiguredDefaultCertificateFromItsSecret() {
        Issued configured = TestCertificates.issue("default.example.com", KeyFormat.RSA_PKCS1);
        IngressTranslator translator = new IngressTranslator(new TranslatorSettings(Fixtures.CLASS,
                Fixtures.CONTROLLER, "", "ops/default-cert"));
        Ingress ingress = web("web", null, "shop.test", Map.of());
        ClusterSnapshot services = Fixtures.snapshot(ingress);

        TlsModel.DefaultCertificate read = translator.translate(withSecrets(services,
                TestCertificates.secret("ops", "default-cert", configured))).tls().defaultCertificate();
        assertThat(read.secret()).isEqualTo("ops/default-cert");
        assertThat(read.certificate().leaf()).isEqualTo(configured.certificate());
        assertThat(read.certificate().source()).isEqualTo("ops/default-cert");
        assertThat(read.problem()).isNull();

        read = translator.translate(withSecrets(services, TestCertificates.secret("ops", "default-cert", "garbage",
                configured.keyPem()))).tls().defaultCertificate();
        assertThat(read.certificate()).isNull();
        assertThat(read.problem()).contains("ops/default-cert").contains("tls.crt");

        read = translator.translate(withSecrets(services)).tls().defaultCertificate();
        assertThat(read.certificate()).isNull();
        assertThat(read.problem()).isEqualTo("Secret ops/default-cert not found");

        // None configured: none in the model.
        assertThat(translate(withSecrets(services, TestCertificates.secret("ops", "default-cert", configured)))
                .tls().defaultCertificate()).isNull();
    }

    static ClusterSnapshot withSecrets(ClusterSnapshot snapshot, Secret... secrets) {
        return new ClusterSnapshot(snapshot.ingresses(), snapshot.ingressClasses(), snapshot.services(),
                snapshot.endpointSlices(), List.of(secrets), snapshot.configMaps(), snapshot.revision());
    }

    @Test
    void anUnreadableAnnotationIsAWarning() {
        RouteModel model = translateWith(SECRETS, web("web", null, "shop.test",
                Map.of("nginx.ingress.kubernetes.io/force-ssl-redirect", "yes")));

        assertThat(report(model, "ns", "web").diagnostics()).extracting(Diagnostic::field)
                .containsExactly("metadata.annotations['nginx.ingress.kubernetes.io/force-ssl-redirect']");
    }

    @Test
    void exactHostsCoveredByAWildcardTlsHostRedirect() {
        RouteModel model = translateWith(SECRETS,
                web("wild", "2024-01-01T00:00:00Z", "*.shop.test", Map.of(), tls("cert", "*.shop.test")),
                web("exact", "2024-01-02T00:00:00Z", "a.shop.test", Map.of()));

        assertThat(redirects(model).redirects("a.shop.test", "/x")).isTrue();
        assertThat(redirects(model).redirects("b.shop.test", "/x")).isTrue();
        assertThat(redirects(model).redirects("shop.test", "/x")).isFalse();
        assertThat(model.tls().hosts()).extracting(h -> h.host().toString()).containsExactly("*.shop.test");
    }

    @Test
    void theOldestIngressDecidesAHostsCertificate() {
        RouteModel model = translateWith(SECRETS,
                web("young", "2024-01-02T00:00:00Z", "shop.test", Map.of(), tls("other", "shop.test")),
                web("old", "2024-01-01T00:00:00Z", "shop.test", Map.of(), tls("cert", "shop.test")));

        TlsHost host = model.tls().hosts().get(0);
        assertThat(host.secret()).isEqualTo("ns/cert");
        assertThat(host.certificate().leaf()).isEqualTo(CERT.certificate());
        assertThat(report(model, "ns", "young").diagnostics()).filteredOn(d -> d.field().startsWith("spec.tls"))
                .singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("spec.tls[0].hosts[0]");
            assertThat(d.message()).contains("ns/old").contains("takes precedence");
        });
        assertThat(report(model, "ns", "old").diagnostics()).isEmpty();
    }

    @Test
    void anEntryWithoutHostsCoversTheRuleHostsItsCertificateIsValidFor() {
        Ingress ingress = ingress("ns", "web", null).editSpec()
                .withRules(rule("shop.test", prefix("/", "app")), rule("a.shop.test", prefix("/", "app")),
                        rule("elsewhere.test", prefix("/", "app")))
                .withTls(tls("cert")).endSpec().build();

        RouteModel model = translateWith(SECRETS, ingress);

        assertThat(model.tls().hosts()).extracting(h -> h.host().toString())
                .containsExactly("shop.test", "a.shop.test");
        assertThat(report(model, "ns", "web").diagnostics()).isEmpty();
    }

    @Test
    void problemsAreWarningsOnTheirOwnEntryAndFallBackToTheDefault() {
        Ingress ingress = ingress("ns", "web", null).editSpec()
                .withRules(rule("shop.test", prefix("/", "app")), rule("b.test", prefix("/", "app")))
                .withTls(tls("cert", "shop.test", "bad_host!"), tls("missing", "b.test"),
                        tls("other", "c.test"), tls(null, "d.test"))
                .endSpec().build();

        RouteModel model = translateWith(SECRETS, ingress);

        Map<String, TlsHost> hosts = new LinkedHashMap<>();
        model.tls().hosts().forEach(h -> hosts.put(h.host().toString(), h));
        assertThat(hosts.keySet()).containsExactly("shop.test", "b.test", "c.test", "d.test");
        assertThat(hosts.get("shop.test").certificate()).isNotNull();
        assertThat(hosts.get("b.test").certificate()).isNull();
        assertThat(hosts.get("b.test").fallbackReason()).contains("ns/missing").contains("not found");
        assertThat(hosts.get("d.test").certificate()).isNull();
        assertThat(hosts.get("d.test").fallbackReason()).contains("no secretName");
        List<String> fields = new ArrayList<>();
        report(model, "ns", "web").diagnostics().forEach(d -> fields.add(d.field() + " " + d.severity()));
        assertThat(fields).containsExactly(
                "spec.tls[0].hosts[1] WARNING",
                "spec.tls[1].secretName WARNING",
                "spec.tls[2].hosts[0] WARNING"); // the certificate does not name c.test
        // Every TLS host redirects, whatever its certificate.
        assertThat(model.tls().redirectHosts()).extracting(HostMatch::toString)
                .containsExactlyInAnyOrder("shop.test", "b.test", "c.test", "d.test");
    }

    @Test
    void onlySecretsOfTypeTlsAreUsed() {
        Secret opaque = TestCertificates.secret("ns", "opaque", CERT);
        opaque.setType("Opaque");

        RouteModel model = translateWith(List.of(opaque), web("web", null, "shop.test", Map.of(),
                tls("opaque", "shop.test")));

        assertThat(model.tls().hosts().get(0).certificate()).isNull();
        assertThat(report(model, "ns", "web").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("of type Opaque, not kubernetes.io/tls"));
    }

    @Test
    void aTlsProblemNeverAffectsAnotherIngress() {
        Ingress broken = web("broken", "2024-01-01T00:00:00Z", "broken.test", Map.of(), tls("missing",
                "broken.test"));
        Ingress fine = web("fine", "2024-01-02T00:00:00Z", "shop.test", Map.of(), tls("cert", "shop.test"));
        broken.getSpec().setTls(Arrays.asList(null, tls("missing", "broken.test")));

        RouteModel model = translateWith(SECRETS, broken, fine);

        assertThat(report(model, "ns", "fine").diagnostics()).isEmpty();
        assertThat(model.tls().hosts()).filteredOn(h -> h.host().toString().equals("shop.test"))
                .singleElement().satisfies(h -> assertThat(h.certificate()).isNotNull());
        assertThat(report(model, "ns", "broken").diagnostics()).extracting(Diagnostic::field)
                .containsExactly("spec.tls[0]", "spec.tls[1].secretName");
    }
}
