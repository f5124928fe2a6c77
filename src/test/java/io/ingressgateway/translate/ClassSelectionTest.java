package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.CLASS;
import static io.ingressgateway.translate.Fixtures.CONTROLLER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which Ingresses are ours: spec.ingressClassName, the legacy annotation, the default class. */
class ClassSelectionTest {

    private static final IngressClass OURS = ingressClass(CLASS, CONTROLLER, false);
    private static final IngressClass OURS_DEFAULT = ingressClass(CLASS, CONTROLLER, true);
    private static final IngressClass NGINX = ingressClass("nginx", "k8s.io/ingress-nginx", false);
    private static final IngressClass NGINX_DEFAULT = ingressClass("nginx", "k8s.io/ingress-nginx", true);
    private static final IngressClass OTHER_NAME_OURS = ingressClass("edge", CONTROLLER, false);
    private static final IngressClass OURS_DEFAULT_FALSE = new io.fabric8.kubernetes.api.model.networking.v1
            .IngressClassBuilder(OURS).editMetadata()
            .addToAnnotations(IngressClassSelector.DEFAULT_CLASS_ANNOTATION, "false").endMetadata().build();

    /** className (null = unset), legacy annotation (null = absent), classes, served, reason fragment. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("our class by name", CLASS, null, List.of(OURS, NGINX), true,
                        "IngressClass 'gw'"),
                Arguments.of("another class of our controller", "edge", null, List.of(OTHER_NAME_OURS), true,
                        "IngressClass 'edge'"),
                Arguments.of("class of another controller", "nginx", null, List.of(OURS, NGINX), false,
                        "belongs to controller 'k8s.io/ingress-nginx'"),
                Arguments.of("class that does not exist", "missing", null, List.of(OURS), false,
                        "IngressClass 'missing' does not exist"),
                Arguments.of("our name but IngressClass object missing", CLASS, null, List.of(NGINX), false,
                        "does not exist"),
                Arguments.of("className wins over a matching annotation", "nginx", CLASS, List.of(OURS, NGINX),
                        false, "belongs to controller"),
                Arguments.of("className wins over a foreign annotation", CLASS, "nginx", List.of(OURS, NGINX),
                        true, "IngressClass 'gw'"),
                Arguments.of("legacy annotation ours", null, CLASS, List.of(), true,
                        "kubernetes.io/ingress.class='gw'"),
                Arguments.of("legacy annotation foreign", null, "nginx", List.of(OURS_DEFAULT), false,
                        "is not our class"),
                Arguments.of("legacy annotation case differs", null, "GW", List.of(OURS), false,
                        "is not our class"),
                Arguments.of("empty className is unset, annotation decides", "", CLASS, List.of(), true,
                        "annotation"),
                Arguments.of("nothing set, our class is default", null, null, List.of(OURS_DEFAULT, NGINX), true,
                        "default IngressClass 'gw'"),
                Arguments.of("nothing set, only another controller's default", null, null,
                        List.of(OURS, NGINX_DEFAULT), false, "has no default IngressClass"),
                Arguments.of("nothing set, default annotation false", null, null, List.of(OURS_DEFAULT_FALSE),
                        false, "has no default IngressClass"),
                Arguments.of("nothing set, no classes", null, null, List.of(), false, "has no default"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void selectsByClass(String description, String className, String annotation, List<IngressClass> classes,
                        boolean served, String reason) {
        IngressBuilder builder = new IngressBuilder().withNewMetadata().withNamespace("ns").withName("app")
                .endMetadata().withNewSpec().withIngressClassName(className)
                .withRules(rule("app.example.com", prefix("/", "svc"))).endSpec();
        if (annotation != null) {
            builder.editMetadata().addToAnnotations(IngressClassSelector.LEGACY_CLASS_ANNOTATION, annotation)
                    .endMetadata();
        }
        Ingress ingress = builder.build();
        RouteModel model = new IngressTranslator(Fixtures.SETTINGS).translate(
                new ClusterSnapshot(List.of(ingress), classes, List.of(), List.of(), List.of(), 1));

        IngressReport report = Fixtures.report(model, "ns", "app");
        assertEquals(served, report.served(), report.reason());
        assertTrue(report.reason().contains(reason), report.reason());
        if (served) {
            assertEquals(List.of("app.example.com|PREFIX|/"), report.routeIds());
            assertEquals(1, model.virtualHosts().size());
        } else {
            // Not ours: ignored completely.
            assertEquals(List.of(), report.diagnostics());
            assertEquals(List.of(), report.routeIds());
            assertEquals(List.of(), model.virtualHosts());
            assertEquals(0, model.upstreams().size());
        }
    }
}
