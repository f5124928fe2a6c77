package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.BasicAuthPolicy;
import io.ingressgateway.model.policy.CustomHeadersPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The translator reads an Ingress's {@code auth-secret} (any Secret type, the Ingress's namespace only) into its basic
 * auth policy and its {@code custom-headers} ConfigMap into its custom headers policy; what cannot be used is a
 * warning and a policy that fails closed (503); and a change of the Secret or ConfigMap is seen by Ingresses read
 * before it, while others are not read again.
 */
class ReferencedObjectsTranslationTest {

    static final String BCRYPT = "$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a";
    static final String APR1 = "$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0";
    static final String AUTH_SECRET = "nginx.ingress.kubernetes.io/auth-secret";

    static Ingress protectedIngress(String secret, String... more) {
        var builder = ingress("shop", "api", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/auth-type", "basic")
                .addToAnnotations(AUTH_SECRET, secret)
                .addToAnnotations("nginx.ingress.kubernetes.io/auth-realm", "Shop staff");
        for (int i = 0; i < more.length; i += 2) {
            builder.addToAnnotations(more[i], more[i + 1]);
        }
        return builder.endMetadata().editSpec().withRules(rule("api.example", prefix("/", "backend"))).endSpec()
                .build();
    }

    static Ingress withHeaders(String configMap) {
        return ingress("shop", "api", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/custom-headers", configMap).endMetadata()
                .editSpec().withRules(rule("api.example", prefix("/", "backend"))).endSpec().build();
    }

    static Secret opaque(String namespace, String name, Map<String, String> values) {
        SecretBuilder builder = new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .endMetadata().withType("Opaque");
        values.forEach((key, value) -> builder.addToData(key, Base64.getEncoder().encodeToString(
                value.getBytes(StandardCharsets.UTF_8))));
        return builder.build();
    }

    static ConfigMap configMap(String namespace, String name, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withData(data).build();
    }

    static ClusterSnapshot cluster(List<Ingress> ingresses, List<Secret> secrets, List<ConfigMap> configMaps) {
        ClusterSnapshot services = withServices(ingresses);
        return new ClusterSnapshot(services.ingresses(), services.ingressClasses(), services.services(),
                services.endpointSlices(), secrets, configMaps, services.revision() + 1);
    }

    static BasicAuthPolicy basicAuth(RouteModel model) {
        return vhost(model, "api.example").routes().get(0).policies().get(BasicAuthPolicy.class);
    }

    static CustomHeadersPolicy headers(RouteModel model) {
        return vhost(model, "api.example").routes().get(0).policies().get(CustomHeadersPolicy.class);
    }

    @Test
    void theUsersOfAnOpaqueSecretReachTheRoutesAndABadLineIsAWarningThatKeepsTheOthers() {
        RouteModel model = Fixtures.translate(cluster(List.of(protectedIngress("users")),
                List.of(opaque("shop", "users", Map.of("auth", "alice:" + BCRYPT + "\nbob:" + APR1
                        + "\nbroken line\n"))), List.of()));

        BasicAuthPolicy policy = basicAuth(model);
        assertThat(policy.problem()).isNull();
        assertThat(policy.secret()).isEqualTo("shop/users");
        assertThat(policy.realm()).isEqualTo("Shop staff");
        assertThat(policy.users()).isEqualTo(Map.of("alice", BCRYPT, "bob", APR1));
        assertThat(policy.credentialsId()).isNotEmpty();
        assertThat(report(model, "shop", "api").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + AUTH_SECRET + "']");
            assertThat(diagnostic.message()).isEqualTo("Secret shop/users: line 3 is not user:hash; skipped");
        });
        assertThat(policy.toString()).doesNotContain(BCRYPT);
    }

    @Test
    void anAuthMapHasAUserPerKey() {
        RouteModel model = Fixtures.translate(cluster(List.of(protectedIngress("shop/users",
                        "nginx.ingress.kubernetes.io/auth-secret-type", "auth-map")),
                List.of(opaque("shop", "users", Map.of("alice", BCRYPT, "bob", APR1))), List.of()));

        assertThat(basicAuth(model).users()).isEqualTo(Map.of("alice", BCRYPT, "bob", APR1));
        assertThat(report(model, "shop", "api").diagnostics()).isEmpty();
    }

    @Test
    void aSecretThatCannotBeUsedDeniesTheRouteWithAWarning() {
        Map<String, List<Secret>> cases = Map.of(
                "Secret shop/users not found", List.of(),
                "Secret other/users is not in the Ingress's namespace shop",
                List.of(opaque("other", "users", Map.of("auth", "alice:" + BCRYPT))),
                "Secret shop/users has no key 'auth'", List.of(opaque("shop", "users", Map.of("alice", BCRYPT))));
        cases.forEach((problem, secrets) -> {
            String name = problem.contains("other/") ? "other/users" : "users";
            RouteModel model = Fixtures.translate(cluster(List.of(protectedIngress(name)), secrets, List.of()));

            assertThat(basicAuth(model).problem()).as(problem).startsWith(problem);
            assertThat(basicAuth(model).users()).isEmpty();
            assertThat(report(model, "shop", "api").diagnostics()).as(problem).singleElement()
                    .satisfies(diagnostic -> {
                        assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
                        assertThat(diagnostic.message()).startsWith(problem).contains("refused (503)")
                                .contains("rather than served without authentication");
                    });
        });
    }

    /** The same cluster (the very same objects) with other Secrets and ConfigMaps: only those changed. */
    static ClusterSnapshot with(ClusterSnapshot base, List<Secret> secrets, List<ConfigMap> configMaps) {
        return new ClusterSnapshot(base.ingresses(), base.ingressClasses(), base.services(), base.endpointSlices(),
                secrets, configMaps, base.revision() + 1);
    }

    @Test
    void anIngressReadBeforeItsSecretChangedSeesTheChangeAndOthersAreNotReadAgain() {
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);
        Ingress api = protectedIngress("users");
        Ingress other = ingress("shop", "web", "2024-01-01T00:00:00Z", rule("web.example", prefix("/", "web")));
        ClusterSnapshot base = cluster(List.of(api, other), List.of(), List.of());

        RouteModel missing = translator.translate(base);
        assertThat(basicAuth(missing).problem()).isNotNull();

        // Only the Secrets change (as from a cluster): the Ingress whose Secret was missing is read again.
        RouteModel one = translator.translate(with(base,
                List.of(opaque("shop", "users", Map.of("auth", "alice:" + BCRYPT))), List.of()));
        assertThat(basicAuth(one).problem()).isNull();
        assertThat(basicAuth(one).users()).containsOnlyKeys("alice");
        assertThat(report(one, "shop", "api").diagnostics()).isEmpty();
        assertThat(vhost(one, "web.example")).isSameAs(vhost(missing, "web.example"));

        RouteModel two = translator.translate(with(base,
                List.of(opaque("shop", "users", Map.of("auth", "bob:" + APR1))), List.of()));
        assertThat(basicAuth(two).users()).containsOnlyKeys("bob");
        assertThat(basicAuth(two).credentialsId()).isNotEqualTo(basicAuth(one).credentialsId());

        RouteModel gone = translator.translate(with(base, List.of(), List.of()));
        assertThat(basicAuth(gone).problem()).startsWith("Secret shop/users not found");
    }

    @Test
    void theHeadersOfTheConfigMapReachTheRoutesAsWritten() {
        RouteModel model = Fixtures.translate(cluster(List.of(withHeaders("shop/headers")), List.of(),
                List.of(configMap("shop", "headers", Map.of("X-Team", "blue", "My-Custom-Header-Dollar",
                        "$remote_addr")))));

        assertThat(headers(model).problem()).isNull();
        assertThat(headers(model).headers()).isEqualTo(Map.of("X-Team", "blue", "My-Custom-Header-Dollar",
                "$remote_addr"));
        assertThat(report(model, "shop", "api").diagnostics()).isEmpty();
    }

    @Test
    void aConfigMapThatCannotBeUsedDeniesTheRouteWithAWarning() {
        Map<String, List<ConfigMap>> cases = Map.of(
                "ConfigMap shop/headers not found", List.of(),
                "ConfigMap other/headers is not in the Ingress's namespace shop",
                List.of(configMap("other", "headers", Map.of("X-Team", "blue"))),
                "ConfigMap shop/headers has a key that is not a header name",
                List.of(configMap("shop", "headers", Map.of("X Team", "blue"))),
                "ConfigMap shop/headers has a value for X-Team that is not printable ASCII",
                List.of(configMap("shop", "headers", Map.of("X-Team", "blue\r\nSet-Cookie: a=b"))),
                "ConfigMap shop/headers sets Content-Length, which the gateway sets itself",
                List.of(configMap("shop", "headers", Map.of("Content-Length", "0"))));
        cases.forEach((problem, configMaps) -> {
            String name = problem.contains("other/") ? "other/headers" : "headers";
            RouteModel model = Fixtures.translate(cluster(List.of(withHeaders(name)), List.of(), configMaps));

            assertThat(headers(model).problem()).as(problem).startsWith(problem);
            assertThat(report(model, "shop", "api").diagnostics()).as(problem).singleElement()
                    .satisfies(diagnostic -> assertThat(diagnostic.message()).startsWith(problem)
                            .contains("refused (503)"));
        });
    }

    @Test
    void aConfigMapArrivingOrChangingIsSeen() {
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);
        ClusterSnapshot base = cluster(List.of(withHeaders("headers")), List.of(), List.of());

        assertThat(headers(translator.translate(base)).problem()).isNotNull();
        RouteModel blue = translator.translate(with(base, List.of(),
                List.of(configMap("shop", "headers", Map.of("X-Team", "blue")))));
        RouteModel green = translator.translate(with(base, List.of(),
                List.of(configMap("shop", "headers", Map.of("X-Team", "green")))));

        assertThat(headers(blue).problem()).isNull();
        assertThat(headers(blue).headers()).containsEntry("X-Team", "blue");
        assertThat(headers(green).headers()).containsEntry("X-Team", "green");
    }
}
