package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.ClientCertificatePolicy.Verify;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The translator reads an Ingress's {@code auth-tls-secret} into its client certificate policy and applies one policy
 * to the whole host, as ingress-nginx does: the oldest asking Ingress's, unless any Ingress of the host has one it
 * cannot use, which then refuses the host; a Secret it cannot use is a warning; Secrets changing are seen.
 */
class ClientCertificateTranslationTest {

    static final Issued CA = TestCertificates.authority("Client CA");
    static final Issued OTHER_CA = TestCertificates.authority("Other CA");

    static Ingress asking(String name, String created, String path, Map<String, String> annotations) {
        var builder = ingress("shop", name, created).editMetadata();
        annotations.forEach((key, value) -> builder.addToAnnotations("nginx.ingress.kubernetes.io/" + key, value));
        return builder.endMetadata().editSpec().withRules(rule("api.example", prefix(path, "backend"))).endSpec()
                .build();
    }

    static Secret caSecret(String namespace, String name, Issued ca) {
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType("Opaque").withData(Map.of("ca.crt", Base64.getEncoder().encodeToString(
                        ca.certificatePem().getBytes(StandardCharsets.US_ASCII)))).build();
    }

    static ClusterSnapshot cluster(List<Ingress> ingresses, Secret... secrets) {
        ClusterSnapshot services = withServices(ingresses);
        return new ClusterSnapshot(services.ingresses(), services.ingressClasses(), services.services(),
                services.endpointSlices(), List.of(secrets), services.revision() + 1);
    }

    static List<ClientCertificatePolicy> policies(RouteModel model) {
        return vhost(model, "api.example").routes().stream()
                .map(route -> route.policies().get(ClientCertificatePolicy.class)).toList();
    }

    @Test
    void theSecretsCasReachEveryRouteOfTheHostWhateverIngressItComesFrom() {
        Ingress asking = asking("mtls", "2024-01-01T00:00:00Z", "/", Map.of("auth-tls-secret", "ca"));
        Ingress silent = asking("other", "2024-02-01T00:00:00Z", "/other", Map.of());

        RouteModel model = Fixtures.translate(cluster(List.of(asking, silent), caSecret("shop", "ca", CA)));

        assertThat(policies(model)).hasSize(2).allSatisfy(policy -> {
            assertThat(policy.trusted()).containsExactly(CA.certificate());
            assertThat(policy.problem()).isNull();
            assertThat(policy.secret()).isEqualTo("ca");
        });
        assertThat(report(model, "shop", "mtls").diagnostics()).isEmpty();
    }

    @Test
    void theOldestAskingIngressDecidesForTheHost() {
        Ingress older = asking("older", "2024-01-01T00:00:00Z", "/", Map.of("auth-tls-secret", "shop/ca",
                "auth-tls-verify-client", "optional"));
        Ingress newer = asking("newer", "2024-02-01T00:00:00Z", "/newer", Map.of("auth-tls-secret", "shop/other",
                "auth-tls-verify-client", "on"));

        RouteModel model = Fixtures.translate(cluster(List.of(newer, older), caSecret("shop", "ca", CA),
                caSecret("shop", "other", OTHER_CA)));

        assertThat(policies(model)).allSatisfy(policy -> {
            assertThat(policy.verify()).isEqualTo(Verify.OPTIONAL);
            assertThat(policy.trusted()).containsExactly(CA.certificate());
        });
    }

    @Test
    void anUnusableSecretOnAnyIngressOfTheHostRefusesTheHostAndOtherHostsAreUntouched() {
        Ingress older = asking("older", "2024-01-01T00:00:00Z", "/", Map.of("auth-tls-secret", "ca"));
        Ingress broken = asking("broken", "2024-02-01T00:00:00Z", "/broken", Map.of("auth-tls-secret", "missing"));
        Ingress elsewhere = ingress("shop", "elsewhere", "2024-03-01T00:00:00Z",
                rule("other.example", prefix("/", "backend")));

        RouteModel model = Fixtures.translate(cluster(List.of(older, broken, elsewhere),
                caSecret("shop", "ca", CA)));

        assertThat(policies(model)).allSatisfy(policy -> {
            assertThat(policy.problem()).contains("shop/missing not found");
            assertThat(policy.requestsCertificate()).isFalse();
        });
        assertThat(report(model, "shop", "broken").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("refused (403)"));
        assertThat(vhost(model, "other.example").routes()).extracting(Route::policies)
                .allSatisfy(p -> assertThat(p.get(ClientCertificatePolicy.class)).isNull());
    }

    @Test
    void secretsOfOtherNamespacesWithoutCaOrUnreadableAreRefused() {
        Secret noCa = new SecretBuilder().withNewMetadata().withNamespace("shop").withName("no-ca").endMetadata()
                .withType("Opaque").withData(Map.of("auth", "dXNlcjpwYXNz")).build();
        Secret garbage = new SecretBuilder().withNewMetadata().withNamespace("shop").withName("garbage").endMetadata()
                .withType("Opaque").withData(Map.of("ca.crt", Base64.getEncoder().encodeToString(
                        "not a certificate".getBytes(StandardCharsets.US_ASCII)))).build();
        Map<String, String> expected = Map.of(
                "other/ca", "not in the Ingress's namespace shop",
                "no-ca", "has no ca.crt",
                "garbage", "shop/garbage");
        expected.forEach((secret, problem) -> {
            RouteModel model = Fixtures.translate(cluster(List.of(asking("mtls", "2024-01-01T00:00:00Z", "/",
                    Map.of("auth-tls-secret", secret))), caSecret("other", "ca", CA), noCa, garbage));

            assertThat(policies(model)).singleElement()
                    .satisfies(policy -> assertThat(policy.problem()).as(secret).contains(problem));
        });
    }

    @Test
    void aSecretArrivingOrChangingLaterIsSeenByTheIngressReadBeforeIt() {
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);
        List<Ingress> ingresses = List.of(asking("mtls", "2024-01-01T00:00:00Z", "/", Map.of("auth-tls-secret", "ca")));

        RouteModel before = translator.translate(cluster(ingresses));
        assertThat(policies(before)).singleElement().satisfies(p -> assertThat(p.problem()).isNotNull());

        RouteModel after = translator.translate(cluster(ingresses, caSecret("shop", "ca", CA)));
        assertThat(policies(after)).singleElement()
                .satisfies(p -> assertThat(p.trusted()).containsExactly(CA.certificate()));

        RouteModel rotated = translator.translate(cluster(ingresses, caSecret("shop", "ca", OTHER_CA)));
        assertThat(policies(rotated)).singleElement()
                .satisfies(p -> assertThat(p.trusted()).containsExactly(OTHER_CA.certificate()));
    }
}
