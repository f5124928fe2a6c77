package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.ReferencedObjectsTranslationTest.cluster;
import static io.ingressgateway.translate.ReferencedObjectsTranslationTest.configMap;
import static io.ingressgateway.translate.ReferencedObjectsTranslationTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.ExternalAuthPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The translator reads an Ingress's {@code auth-proxy-set-headers} ConfigMap (the Ingress's namespace only) into its
 * external auth policy, checked as {@code custom-headers}' are; a ConfigMap that cannot be used denies the route (503)
 * with a warning, as ingress-nginx denies the location; and its arrival or change is seen.
 */
class AuthProxyHeaderConfigMapsTest {

    static Ingress withAuthHeaders(String configMap) {
        return ingress("shop", "api", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/auth-url", "http://auth.example/check")
                .addToAnnotations("nginx.ingress.kubernetes.io/auth-proxy-set-headers", configMap).endMetadata()
                .editSpec().withRules(rule("api.example", prefix("/", "backend"))).endSpec().build();
    }

    static ExternalAuthPolicy auth(RouteModel model) {
        return vhost(model, "api.example").routes().get(0).policies().get(ExternalAuthPolicy.class);
    }

    @Test
    void theHeadersOfTheConfigMapReachTheAuthPolicyAsWritten() {
        RouteModel model = Fixtures.translate(cluster(List.of(withAuthHeaders("auth-headers")), List.of(),
                List.of(configMap("shop", "auth-headers", Map.of("X-Client-Id", "42", "X-Raw", "$remote_addr")))));

        assertThat(auth(model).refusal()).isNull();
        assertThat(auth(model).proxySetHeaders().configMap()).isEqualTo("shop/auth-headers");
        assertThat(auth(model).authRequestHeaders()).isEqualTo(Map.of("X-Client-Id", "42", "X-Raw",
                "$remote_addr"));
        assertThat(report(model, "shop", "api").diagnostics()).isEmpty();
    }

    @Test
    void aConfigMapThatCannotBeUsedDeniesTheRouteWithAWarning() {
        Map<String, List<ConfigMap>> cases = Map.of(
                "ConfigMap shop/auth-headers not found", List.of(),
                "ConfigMap other/auth-headers is not in the Ingress's namespace shop",
                List.of(configMap("other", "auth-headers", Map.of("X-Client-Id", "42"))),
                "ConfigMap shop/auth-headers has a key that is not a header name",
                List.of(configMap("shop", "auth-headers", Map.of("X Client", "42"))),
                "ConfigMap shop/auth-headers has a value for X-Client-Id that is not printable ASCII",
                List.of(configMap("shop", "auth-headers", Map.of("X-Client-Id", "42\r\nX-Admin: yes"))),
                "ConfigMap shop/auth-headers sets Host, which the gateway sets itself",
                List.of(configMap("shop", "auth-headers", Map.of("Host", "admin.internal"))));
        cases.forEach((problem, configMaps) -> {
            String name = problem.contains("other/") ? "other/auth-headers" : "auth-headers";
            RouteModel model = Fixtures.translate(cluster(List.of(withAuthHeaders(name)), List.of(), configMaps));

            assertThat(auth(model).refusal()).as(problem).startsWith(problem);
            assertThat(auth(model).authRequestHeaders()).as(problem).isEmpty();
            assertThat(report(model, "shop", "api").diagnostics()).as(problem).singleElement()
                    .satisfies(diagnostic -> {
                        assertThat(diagnostic.field()).contains("auth-proxy-set-headers");
                        assertThat(diagnostic.message()).startsWith(problem).contains("503");
                    });
        });
    }

    @Test
    void aConfigMapArrivingOrChangingIsSeen() {
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);
        ClusterSnapshot base = cluster(List.of(withAuthHeaders("auth-headers")), List.of(), List.of());

        assertThat(auth(translator.translate(base)).refusal()).isNotNull();
        RouteModel first = translator.translate(with(base, List.of(),
                List.of(configMap("shop", "auth-headers", Map.of("X-Client-Id", "1")))));
        RouteModel second = translator.translate(with(base, List.of(),
                List.of(configMap("shop", "auth-headers", Map.of("X-Client-Id", "2")))));
        RouteModel gone = translator.translate(with(base, List.of(), List.of()));

        assertThat(auth(first).refusal()).isNull();
        assertThat(auth(first).authRequestHeaders()).containsEntry("X-Client-Id", "1");
        assertThat(auth(second).authRequestHeaders()).containsEntry("X-Client-Id", "2");
        assertThat(auth(gone).refusal()).startsWith("ConfigMap shop/auth-headers not found");
    }
}
