package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.Objects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Half-filled objects never throw, and never disturb a healthy Ingress next to them. */
class NullSafetyTest {

    /** A broken Ingress, whether it is served, and the field of its first diagnostic (null = none). */
    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("no metadata, no spec", new Ingress(), false, null),
                Arguments.of("no spec, legacy annotation ours", new IngressBuilder().withNewMetadata()
                        .withName("x").addToAnnotations(IngressClassSelector.LEGACY_CLASS_ANNOTATION, "gw")
                        .endMetadata().build(), true, "spec"),
                Arguments.of("empty spec of our class", ingress("ns", "x", null).build(), true, "spec"),
                Arguments.of("null rule", withNullRule(), true, "spec.rules[0]"),
                Arguments.of("rule without http", ingress("ns", "x", null).editSpec()
                        .withRules(new IngressRuleBuilder().withHost("x.example").build()).endSpec().build(),
                        true, null),
                Arguments.of("http without paths", ingress("ns", "x", null).editSpec()
                        .withRules(new IngressRuleBuilder().withHost("x.example").withNewHttp().endHttp().build())
                        .endSpec().build(), true, null),
                Arguments.of("null path", withNullPath(), true, "spec.rules[0].http.paths[0]"),
                Arguments.of("empty path object", ingress("ns", "x", null).editSpec()
                        .withRules(new IngressRuleBuilder().withNewHttp().addNewPath().endPath().endHttp().build())
                        .endSpec().build(), true, "spec.rules[0].http.paths[0].pathType"),
                Arguments.of("no name, no namespace", new IngressBuilder().withNewMetadata().endMetadata()
                        .withNewSpec().withIngressClassName("gw").withRules(rule("n.example",
                                prefix("/", "svc"))).endSpec().build(), true, "spec.rules[0].http.paths[0].backend"
                                + ".service"));
    }

    /** Builders drop null list elements; a deserialiser may not, so set them directly. */
    private static Ingress withNullRule() {
        Ingress ingress = ingress("ns", "x", null).build();
        ingress.getSpec().setRules(Arrays.asList((IngressRule) null));
        return ingress;
    }

    private static Ingress withNullPath() {
        Ingress ingress = ingress("ns", "x", null).editSpec()
                .withRules(new IngressRuleBuilder().withNewHttp().endHttp().build()).endSpec().build();
        ingress.getSpec().getRules().get(0).getHttp().setPaths(Arrays.asList((HTTPIngressPath) null));
        return ingress;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenIngressNeverThrowsNorDisturbsOthers(String description, Ingress broken, boolean served,
                                                   String field) {
        Ingress healthy = ingress("ok", "healthy", "2030-01-01T00:00:00Z", rule("ok.example", prefix("/", "svc")));
        List<Ingress> ingresses = new ArrayList<>();
        ingresses.add(broken);
        ingresses.add(healthy);
        // Odd neighbours of every other kind too.
        ClusterSnapshot snapshot = new ClusterSnapshot(ingresses,
                List.of(Fixtures.ourClass(), new IngressClassBuilder().build()),
                List.of(new ServiceBuilder().build(), Objects.service("ok", "svc", Objects.port("http", 80)),
                        new ServiceBuilder().withNewMetadata().withName("nospec").endMetadata().build()),
                List.of(new EndpointSliceBuilder().build(),
                        new EndpointSliceBuilder().withNewMetadata().addToLabels(BackendResolver.SERVICE_NAME_LABEL,
                                "svc").withNamespace("ok").endMetadata().withAddressType("IPv4").build(),
                        new EndpointSliceBuilder().withNewMetadata().addToLabels(BackendResolver.SERVICE_NAME_LABEL,
                                "svc").withNamespace("ok").endMetadata().withAddressType("IPv4")
                                .addNewPort().withName("http").endPort()
                                .addNewPort().withName("http").withPort(8080).endPort()
                                .addNewEndpoint().endEndpoint()
                                .addNewEndpoint().withAddresses("10.0.0.1").withNewConditions().endConditions()
                                .endEndpoint().build()),
                List.of(), 3);

        RouteModel model = new IngressTranslator(Fixtures.SETTINGS).translate(snapshot);

        assertEquals(2, model.ingresses().size());
        IngressReport healthyReport = Fixtures.report(model, "ok", "healthy");
        assertEquals(List.of("ok.example|PREFIX|/"), healthyReport.routeIds());
        assertEquals(List.of(), healthyReport.diagnostics());
        assertEquals("[10.0.0.1:8080]", model.upstreams().get(key("ok", "svc", "80")).endpoints().toString());
        IngressReport brokenReport = model.ingresses().stream().filter(r -> r != healthyReport).findFirst()
                .orElseThrow();
        assertEquals(served, brokenReport.served(), brokenReport.reason());
        if (field == null) {
            assertEquals(List.of(), brokenReport.diagnostics());
        } else {
            assertTrue(!brokenReport.diagnostics().isEmpty());
            assertEquals(field, brokenReport.diagnostics().get(0).field());
        }
        assertTrue(brokenReport.diagnostics().stream().noneMatch(d -> d.severity()
                == io.ingressgateway.model.Diagnostic.Severity.ERROR), brokenReport.diagnostics().toString());
        assertEquals(3, model.revision());
    }

    @ParameterizedTest(name = "empty snapshot")
    @MethodSource("emptySnapshots")
    void emptySnapshot(ClusterSnapshot snapshot) {
        RouteModel model = new IngressTranslator(new TranslatorSettings(null, null, null)).translate(snapshot);

        assertEquals(List.of(), model.virtualHosts());
        assertEquals(0, model.upstreams().size());
    }

    static Stream<ClusterSnapshot> emptySnapshots() {
        return Stream.of(ClusterSnapshot.EMPTY);
    }
}
