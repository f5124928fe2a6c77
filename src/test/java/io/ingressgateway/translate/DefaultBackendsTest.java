package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.serviceBackend;
import static io.ingressgateway.support.Objects.slice;
import static io.ingressgateway.translate.Fixtures.CLASS;
import static io.ingressgateway.translate.Fixtures.CONTROLLER;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.vhost;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** spec.defaultBackend per virtual host and for the whole model, and the configured default backend Service. */
class DefaultBackendsTest {

    private static final String T1 = "2024-01-01T00:00:00Z";
    private static final String T2 = "2024-02-01T00:00:00Z";
    private static final String T3 = "2024-03-01T00:00:00Z";

    private static Ingress withDefault(String name, String created, String defaultService, String... hosts) {
        var builder = ingress("ns", name, created);
        if (defaultService != null) {
            builder.editSpec().withDefaultBackend(serviceBackend(defaultService, 80)).endSpec();
        }
        for (String host : hosts) {
            builder.editSpec().addToRules(rule(host, prefix("/" + name, name))).endSpec();
        }
        return builder.build();
    }

    @Test
    void virtualHostDefaultIsTheOldestContributingIngressWithOne() {
        Ingress oldNoDefault = withDefault("a", T1, null, "shared.example");
        Ingress middle = withDefault("b", T2, "b-default", "shared.example", "b.example");
        Ingress young = withDefault("c", T3, "c-default", "shared.example", "c.example");
        Ingress none = withDefault("d", T1, null, "d.example");

        RouteModel model = Fixtures.translate(snapshot(young, none, middle, oldNoDefault));

        assertEquals(key("ns", "b-default", "80"), vhost(model, "shared.example").defaultUpstreamKey());
        assertEquals(key("ns", "b-default", "80"), vhost(model, "b.example").defaultUpstreamKey());
        assertEquals(key("ns", "c-default", "80"), vhost(model, "c.example").defaultUpstreamKey());
        assertNull(vhost(model, "d.example").defaultUpstreamKey());
        // Requests matching no host: as in ingress-nginx, an Ingress with rules keeps its defaultBackend for its own
        // hosts, so none of these takes them, and none is told anything.
        assertNull(model.defaultUpstreamKey());
        assertEquals(List.of(), report(model, "ns", "c").diagnostics());
        assertTrue(model.upstreams().keySet().containsAll(List.of(key("ns", "b-default", "80"),
                key("ns", "c-default", "80"))));
    }

    @Test
    void theCatchAllIsTheOldestIngressWithoutRulesThatHasADefaultBackend() {
        Ingress withRules = withDefault("a", T1, "a-default", "a.example");
        Ingress catchAll = withDefault("b", T2, "b-default");
        Ingress youngerCatchAll = withDefault("c", T3, "c-default");

        RouteModel model = Fixtures.translate(snapshot(youngerCatchAll, withRules, catchAll));

        assertEquals(key("ns", "b-default", "80"), model.defaultUpstreamKey());
        assertEquals(key("ns", "a-default", "80"), vhost(model, "a.example").defaultUpstreamKey());
        assertEquals(List.of(), report(model, "ns", "a").diagnostics());
        IngressReport loser = report(model, "ns", "c");
        assertEquals(1, loser.diagnostics().size(), loser.diagnostics().toString());
        assertEquals("spec.defaultBackend", loser.diagnostics().get(0).field());
        assertTrue(loser.diagnostics().get(0).message().contains("Ingress ns/b"), loser.diagnostics().get(0).message());
    }

    @Test
    void ingressWithOnlyADefaultBackendIsServedAndBecomesTheGlobalDefault() {
        Ingress catchAll = withDefault("catch-all", T2, "fallback");

        RouteModel model = new IngressTranslator(new TranslatorSettings(CLASS, CONTROLLER, "ops/configured:80"))
                .translate(snapshot(List.of(catchAll), List.of(service("ns", "fallback", port("http", 80))),
                        List.of(slice("ns", "fallback", "f1", "IPv4", "http", 8080, "10.1.0.1"))));

        IngressReport report = report(model, "ns", "catch-all");
        assertTrue(report.served());
        assertEquals(List.of(), report.diagnostics());
        assertEquals(List.of(), model.virtualHosts());
        assertEquals(key("ns", "fallback", "80"), model.defaultUpstreamKey());
        assertEquals("[10.1.0.1:8080]", model.upstreams().get(key("ns", "fallback", "80")).endpoints().toString());
        assertEquals(1, model.upstreams().size());
    }

    @Test
    void defaultBackendOfAnIngressThatIsNotOursIsIgnored() {
        Ingress foreign = new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder(
                withDefault("foreign", T1, "theirs")).editSpec().withIngressClassName("nginx").endSpec().build();

        RouteModel model = Fixtures.translate(snapshot(foreign));

        assertNull(model.defaultUpstreamKey());
        assertEquals(0, model.upstreams().size());
    }

    @Test
    void resourceDefaultBackendIsReportedAndIgnored() {
        Ingress ingress = ingress("ns", "app", T1).editSpec().withDefaultBackend(new IngressBackendBuilder()
                .withNewResource("k8s.example.com", "Bucket", "b").build())
                .withRules(rule("h.example", prefix("/", "web"))).endSpec().build();

        RouteModel model = Fixtures.translate(snapshot(ingress));

        assertNull(model.defaultUpstreamKey());
        assertNull(vhost(model, "h.example").defaultUpstreamKey());
        assertEquals("spec.defaultBackend.resource", report(model, "ns", "app").diagnostics().get(0).field());
    }

    @Test
    void missingDefaultServiceStillAnswers503() {
        Ingress ingress = withDefault("app", T1, "gone", "h.example");

        RouteModel model = Fixtures.translate(snapshot(List.of(ingress), List.of(), List.of()));

        assertEquals(key("ns", "gone", "80"), vhost(model, "h.example").defaultUpstreamKey());
        assertEquals(List.of(), model.upstreams().get(key("ns", "gone", "80")).endpoints());
        assertTrue(report(model, "ns", "app").diagnostics().get(0).message().contains("does not exist"));
    }

    /** configured setting, expected model default (null = controller 404), endpoints. */
    static Stream<Arguments> configured() {
        return Stream.of(
                Arguments.of("ops/fallback:80", key("ops", "fallback", "80"), "[10.2.0.1:8080]"),
                Arguments.of("ops/fallback:http", key("ops", "fallback", "http"), "[10.2.0.1:8080]"),
                Arguments.of(" ops/fallback:080 ", key("ops", "fallback", "80"), "[10.2.0.1:8080]"),
                Arguments.of("ops/missing:80", key("ops", "missing", "80"), "[]"),
                Arguments.of("ops/fallback:81", key("ops", "fallback", "81"), "[]"),
                Arguments.of("", null, null),
                Arguments.of(null, null, null),
                Arguments.of("fallback:80", null, null),
                Arguments.of("ops/fallback", null, null),
                Arguments.of("ops/fallback:", null, null),
                Arguments.of("/fallback:80", null, null),
                Arguments.of("ops/:80", null, null),
                Arguments.of("ops/a/b:80", null, null),
                Arguments.of("ops/fallback:0", null, null),
                Arguments.of("ops/fallback:99999", null, null),
                Arguments.of("ops/fall:back:80", null, null));
    }

    @ParameterizedTest(name = "configured ''{0}'' -> {1}")
    @MethodSource("configured")
    void configuredDefaultBackendApplies(String setting, UpstreamKey expectedKey, String endpoints) {
        ClusterSnapshot snapshot = snapshot(List.of(withDefault("app", T1, null, "h.example")),
                List.of(service("ops", "fallback", port("http", 80)), service("ns", "app",
                        port("http", 80))),
                List.of(slice("ops", "fallback", "f1", "IPv4", "http", 8080, "10.2.0.1")));

        RouteModel model = new IngressTranslator(new TranslatorSettings(CLASS, CONTROLLER, setting))
                .translate(snapshot);

        assertEquals(expectedKey, model.defaultUpstreamKey());
        if (expectedKey != null) {
            assertEquals(endpoints, model.upstreams().get(expectedKey).endpoints().toString());
        }
        // ingress-nginx's server for a host sends what matches none of its paths to the configured default
        // backend too (else the 404), when none of its Ingresses has a defaultBackend.
        assertEquals(expectedKey, vhost(model, "h.example").defaultUpstreamKey());
        assertEquals(List.of(), Fixtures.allDiagnostics(model));
    }

    @Test
    void ingressDefaultBackendBeatsTheConfiguredOne() {
        RouteModel model = new IngressTranslator(new TranslatorSettings(CLASS, CONTROLLER, "ops/fallback:80"))
                .translate(snapshot(withDefault("app", T1, "mine")));

        assertEquals(key("ns", "mine", "80"), model.defaultUpstreamKey());
        assertEquals(List.of(key("ns", "mine", "80")), List.copyOf(model.upstreams().keySet()));
    }

    /** ingress-gateway.default-backend-precedence: configured. */
    @Test
    void theConfiguredDefaultBackendWinsWhenTheOperatorKeepsTheCatchAll() {
        Ingress older = withDefault("app", T1, "mine", "h.example");
        Ingress onlyADefault = withDefault("catch-all", T2, "grab");
        ClusterSnapshot cluster = snapshot(older, onlyADefault);

        RouteModel model = new IngressTranslator(new TranslatorSettings(CLASS, CONTROLLER, "ops/fallback:80")
                .withConfiguredDefaultBackendWins(true)).translate(cluster);

        assertEquals(key("ops", "fallback", "80"), model.defaultUpstreamKey());
        // An Ingress's defaultBackend still catches what its own hosts do not route.
        assertEquals(key("ns", "mine", "80"), vhost(model, "h.example").defaultUpstreamKey());
        assertTrue(model.upstreams().containsKey(key("ops", "fallback", "80")));
        assertTrue(!model.upstreams().containsKey(key("ns", "grab", "80")), model.upstreams().keySet().toString());
        assertEquals(List.of(), report(model, "ns", "app").diagnostics(), "an Ingress with rules never takes them");
        for (String name : List.of("catch-all")) {
            IngressReport report = report(model, "ns", name);
            assertEquals(1, report.diagnostics().size(), report.diagnostics().toString());
            assertEquals("spec.defaultBackend", report.diagnostics().get(0).field());
            assertTrue(report.diagnostics().get(0).message().contains("default-backend-precedence: configured"),
                    report.diagnostics().get(0).message());
        }

        // Without a configured Service, requests matching no host get the controller's own 404: no Ingress takes them.
        RouteModel none = new IngressTranslator(Fixtures.SETTINGS.withConfiguredDefaultBackendWins(true))
                .translate(cluster);
        assertNull(none.defaultUpstreamKey());
    }
}
