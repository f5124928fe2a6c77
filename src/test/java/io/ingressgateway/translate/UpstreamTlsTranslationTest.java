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
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The translator reads the Secret an Ingress names in {@code proxy-ssl-secret} into the routes' upstream TLS policy:
 * its CA certificates and client certificate; a Secret it cannot use is a warning and a policy that fails closed; and
 * a change of Secrets is seen by Ingresses that were read before it.
 */
class UpstreamTlsTranslationTest {

    static final Issued CA = TestCertificates.issue("upstream-ca", KeyFormat.EC_PKCS8, "backend.shop.svc");
    static final Issued CLIENT = TestCertificates.issue("gateway", KeyFormat.RSA_PKCS1);
    static final String SECRET_ANNOTATION = "nginx.ingress.kubernetes.io/proxy-ssl-secret";

    static Ingress verifying(String secret) {
        return ingress("shop", "api", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS")
                .addToAnnotations(SECRET_ANNOTATION, secret)
                .addToAnnotations("nginx.ingress.kubernetes.io/proxy-ssl-verify", "on")
                .endMetadata()
                .editSpec().withRules(rule("api.example", prefix("/", "backend"))).endSpec().build();
    }

    static Secret secret(String namespace, String name, Map<String, String> pem) {
        Map<String, String> data = new LinkedHashMap<>();
        pem.forEach((key, text) -> data.put(key, Base64.getEncoder().encodeToString(
                text.getBytes(StandardCharsets.US_ASCII))));
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType(ClusterSnapshot.TLS_SECRET_TYPE).withData(data).build();
    }

    static Secret caAndClient(String namespace) {
        return secret(namespace, "upstream-ca", Map.of("ca.crt", CA.certificatePem(),
                "tls.crt", CLIENT.certificatePem(), "tls.key", CLIENT.keyPem()));
    }

    static ClusterSnapshot cluster(List<Ingress> ingresses, Secret... secrets) {
        ClusterSnapshot services = withServices(ingresses);
        return new ClusterSnapshot(services.ingresses(), services.ingressClasses(), services.services(),
                services.endpointSlices(), List.of(secrets), services.revision() + 1);
    }

    static UpstreamTlsPolicy policy(RouteModel model) {
        return vhost(model, "api.example").routes().get(0).policies().get(UpstreamTlsPolicy.class);
    }

    @Test
    void theSecretsCaAndClientCertificateReachTheRoutes() {
        RouteModel model = Fixtures.translate(cluster(List.of(verifying("shop/upstream-ca")), caAndClient("shop")));

        UpstreamTlsPolicy policy = policy(model);
        assertThat(policy.trusted()).containsExactly(CA.certificate());
        assertThat(policy.clientCertificate().leaf()).isEqualTo(CLIENT.certificate());
        assertThat(policy.clientCertificate().source()).isEqualTo("shop/upstream-ca");
        assertThat(policy.problem()).isNull();
        assertThat(policy.refusesEveryCertificate()).isFalse();
        assertThat(report(model, "shop", "api").diagnostics()).isEmpty();
    }

    @Test
    void aSecretWithOnlyACaIsEnoughToVerify() {
        RouteModel model = Fixtures.translate(cluster(List.of(verifying("shop/upstream-ca")),
                secret("shop", "upstream-ca", Map.of("ca.crt", CA.certificatePem()))));

        assertThat(policy(model).trusted()).containsExactly(CA.certificate());
        assertThat(policy(model).clientCertificate()).isNull();
        assertThat(report(model, "shop", "api").diagnostics()).isEmpty();
    }

    @Test
    void aSecretThatCannotBeUsedIsAWarningAndThePolicyFailsClosed() {
        Map<String, Secret[]> cases = new LinkedHashMap<>();
        cases.put("not found", new Secret[0]);
        cases.put("not in the Ingress's namespace", new Secret[] {caAndClient("other")});
        cases.put("ca.crt", new Secret[] {secret("shop", "upstream-ca", Map.of("ca.crt", "garbage"))});
        cases.put("has no ca.crt", new Secret[] {secret("shop", "upstream-ca", Map.of(
                "tls.crt", CLIENT.certificatePem(), "tls.key", CLIENT.keyPem()))});
        cases.put("tls.crt has no tls.key", new Secret[] {secret("shop", "upstream-ca", Map.of(
                "ca.crt", CA.certificatePem(), "tls.crt", CLIENT.certificatePem()))});
        List<String> seen = new ArrayList<>();
        cases.forEach((problem, secrets) -> {
            String name = problem.startsWith("not in") ? "other/upstream-ca" : "shop/upstream-ca";
            RouteModel model = Fixtures.translate(cluster(List.of(verifying(name)), secrets));

            assertThat(policy(model).refusesEveryCertificate()).as(problem).isTrue();
            assertThat(policy(model).problem()).as(problem).contains(problem);
            List<Diagnostic> diagnostics = report(model, "shop", "api").diagnostics();
            assertThat(diagnostics).as(problem).singleElement().satisfies(diagnostic -> {
                assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
                assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + SECRET_ANNOTATION + "']");
                assertThat(diagnostic.message()).contains(problem).contains("502");
            });
            seen.add(problem);
        });
        assertThat(seen).hasSize(5);
    }

    @Test
    void anIngressReadBeforeItsSecretExistedSeesItOnceItArrives() {
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);
        Ingress api = verifying("shop/upstream-ca");
        Ingress other = ingress("shop", "web", "2024-01-01T00:00:00Z", rule("web.example", prefix("/", "web")));

        RouteModel before = translator.translate(cluster(List.of(api, other)));
        assertThat(policy(before).refusesEveryCertificate()).isTrue();

        RouteModel after = translator.translate(cluster(List.of(api, other), caAndClient("shop")));
        assertThat(policy(after).refusesEveryCertificate()).isFalse();
        assertThat(policy(after).trusted()).containsExactly(CA.certificate());
        assertThat(report(after, "shop", "api").diagnostics()).isEmpty();
        assertThat(vhost(after, "web.example")).as("an Ingress without the annotation is not read again")
                .isSameAs(vhost(before, "web.example"));

        RouteModel gone = translator.translate(cluster(List.of(api, other)));
        assertThat(policy(gone).refusesEveryCertificate()).as("and the Secret leaving is seen too").isTrue();
    }
}
