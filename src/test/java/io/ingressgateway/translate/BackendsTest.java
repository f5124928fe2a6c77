package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.externalNameService;
import static io.ingressgateway.support.Objects.namedPort;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.slice;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backend resolution: Service ports, EndpointSlices, ExternalName, and what happens when something is missing. */
class BackendsTest {

    private static final Service WEB = service("shop", "web", port("http", 80), port("admin", 9000),
            port(null, 7000));
    private static final List<Service> SERVICES = List.of(WEB,
            externalNameService("shop", "ext", "api.partner.example", port("https", 443)),
            new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("manual").endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(8000).endPort().endSpec().build(),
            service("other", "web", port("http", 80)),
            externalNameService("shop", "ext-empty", null, port("http", 80)));
    private static final List<EndpointSlice> SLICES = List.of(
            slice("shop", "web", "web-1", "IPv4", "http", 8080, "10.0.0.2", "10.0.0.1", "!10.0.0.9"),
            slice("shop", "web", "web-2", "IPv4", "http", 8080, "10.0.0.3", "10.0.0.1"),
            slice("shop", "web", "web-v6", "IPv6", "http", 8080, "fd00::1"),
            slice("shop", "web", "web-fqdn", "FQDN", "http", 8080, "pod.example"),
            slice("shop", "web", "web-admin", "IPv4", "admin", 9090, "10.0.0.1", "!10.0.0.2"),
            slice("shop", "web", "web-unnamed", "IPv4", "", 7070, "10.0.0.4"),
            slice("shop", "manual", "manual-1", "IPv4", "http", 8001, "192.168.1.10"),
            slice("other", "web", "other-1", "IPv4", "http", 1111, "10.9.9.9"),
            // Ready unset counts as ready.
            new EndpointSliceBuilder(slice("shop", "web", "web-3", "IPv4", "http", 8080)).addNewEndpoint()
                    .withAddresses("10.0.0.5").endEndpoint().build());

    /** backend path, expected upstream key, endpoints as strings, externalName, diagnostic fragment or null. */
    /** The upstream of a Service port in the Ingresses' namespace. */
    static UpstreamKey shop(String service, String port) {
        return key("shop", service, port);
    }

    static Stream<Arguments> backends() {
        return Stream.of(
                Arguments.of("port number", path("Prefix", "/", "web", 80), shop("web", "80"),
                        List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.5:8080",
                                "[fd00::1]:8080"), false, null),
                Arguments.of("port name", namedPort("Prefix", "/", "web", "http"), shop("web", "http"),
                        List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080", "10.0.0.5:8080",
                                "[fd00::1]:8080"), false, null),
                Arguments.of("second named port maps to its own slice port, not-ready excluded",
                        path("Prefix", "/", "web", 9000), shop("web", "9000"), List.of("10.0.0.1:9090"), false, null),
                Arguments.of("unnamed service port matches slice port with empty name",
                        path("Prefix", "/", "web", 7000), shop("web", "7000"), List.of("10.0.0.4:7070"), false, null),
                Arguments.of("service without selector, hand-made slice", namedPort("Prefix", "/", "manual", "http"),
                        shop("manual", "http"), List.of("192.168.1.10:8001"), false, null),
                Arguments.of("unknown port number", path("Prefix", "/", "web", 81), shop("web", "81"), List.of(), false,
                        "has no port 81"),
                Arguments.of("unknown port name", namedPort("Prefix", "/", "web", "grpc"), shop("web", "grpc"),
                        List.of(), false, "has no port named 'grpc'"),
                Arguments.of("missing service", path("Prefix", "/", "nope", 80), shop("nope", "80"), List.of(), false,
                        "Service shop/nope does not exist"),
                Arguments.of("ExternalName with number", path("Prefix", "/", "ext", 8443), shop("ext", "8443"),
                        List.of("api.partner.example:8443"), true, null),
                Arguments.of("ExternalName with named port", namedPort("Prefix", "/", "ext", "https"),
                        shop("ext", "https"), List.of("api.partner.example:443"), true, null),
                Arguments.of("ExternalName with unknown named port", namedPort("Prefix", "/", "ext", "http"),
                        shop("ext", "http"), List.of(), true, "has no port named 'http'"),
                Arguments.of("ExternalName without externalName", path("Prefix", "/", "ext-empty", 80),
                        shop("ext-empty", "80"), List.of(), true, "has no externalName"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void resolvesBackend(String description, HTTPIngressPath path, UpstreamKey key, List<String> endpoints,
                         boolean external, String problem) {
        Ingress ingress = ingress("shop", "app", null, rule("shop.example", path, prefix("/other", "web")));

        // ExternalName Services are off by default (ExternalNameTranslationTest); here they are served.
        RouteModel model = translate(snapshot(List.of(ingress), SERVICES, SLICES), Fixtures.WITH_EXTERNAL_NAMES);

        // Routed either way: a broken backend still claims its path and answers 503.
        assertEquals(key, Fixtures.vhost(model, "shop.example").routes().get(1).upstreamKey());
        Upstream upstream = model.upstreams().get(key);
        assertEquals(endpoints, upstream.endpoints().stream().map(Object::toString).toList());
        assertEquals(external, upstream.externalName());
        IngressReport report = report(model, "shop", "app");
        assertEquals(2, report.routeIds().size());
        if (problem == null) {
            assertEquals(List.of(), report.diagnostics());
        } else {
            assertEquals(1, report.diagnostics().size(), report.diagnostics().toString());
            Diagnostic diagnostic = report.diagnostics().get(0);
            assertEquals(Diagnostic.Severity.WARNING, diagnostic.severity());
            assertTrue(diagnostic.field().startsWith("spec.rules[0].http.paths[0].backend"), diagnostic.field());
            assertTrue(diagnostic.message().contains(problem), diagnostic.message());
        }
    }

    static Stream<Arguments> droppedBackends() {
        return Stream.of(
                Arguments.of("resource backend", new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewResource("k8s.example.com", "Bucket", "assets").endBackend().build(),
                        "spec.rules[0].http.paths[0].backend.resource", "resource backends are not supported"),
                Arguments.of("no service, no resource", new HTTPIngressPathBuilder().withPath("/")
                        .withPathType("Prefix").withNewBackend().endBackend().build(),
                        "spec.rules[0].http.paths[0].backend", "must name a service"),
                Arguments.of("no backend at all", new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                        .build(), "spec.rules[0].http.paths[0].backend", "backend is required"),
                Arguments.of("service without name", new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withNewPort().withNumber(80).endPort().endService()
                        .endBackend().build(), "spec.rules[0].http.paths[0].backend.service.name",
                        "service name is required"),
                Arguments.of("service without port", new HTTPIngressPathBuilder().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withName("web").endService().endBackend().build(),
                        "spec.rules[0].http.paths[0].backend.service.port", "port number or name is required"),
                Arguments.of("port with number and name", new HTTPIngressPathBuilder().withPath("/")
                        .withPathType("Prefix").withNewBackend().withNewService().withName("web").withNewPort()
                        .withNumber(80).withName("http").endPort().endService().endBackend().build(),
                        "spec.rules[0].http.paths[0].backend.service.port", "not both"),
                Arguments.of("port out of range", path("Prefix", "/", "web", 70000),
                        "spec.rules[0].http.paths[0].backend.service.port.number", "out of range"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("droppedBackends")
    void unusableBackendDropsThePath(String description, HTTPIngressPath path, String field, String problem) {
        Ingress ingress = ingress("shop", "app", null, rule("shop.example", path, prefix("/ok", "web")));

        RouteModel model = translate(snapshot(List.of(ingress), SERVICES, SLICES));

        assertEquals(List.of("shop.example|PREFIX|/ok -> shop/web:80"), Fixtures.routeLines(model));
        IngressReport report = report(model, "shop", "app");
        assertEquals(1, report.diagnostics().size(), report.diagnostics().toString());
        assertEquals(field, report.diagnostics().get(0).field());
        assertTrue(report.diagnostics().get(0).message().contains(problem), report.diagnostics().get(0).message());
        assertEquals(List.of(key("shop", "web", "80")), List.copyOf(model.upstreams().keySet()));
    }

    @Test
    void serviceWithoutReadyEndpointsIsRoutedToAnEmptyUpstreamWithoutDiagnostic() {
        Ingress ingress = ingress("shop", "app", null, rule("shop.example", prefix("/", "web")));

        RouteModel model = translate(snapshot(List.of(ingress), List.of(WEB),
                List.of(slice("shop", "web", "web-1", "IPv4", "http", 8080, "!10.0.0.1", "!10.0.0.2"))));

        assertEquals(List.of(), model.upstreams().get(key("shop", "web", "80")).endpoints());
        assertEquals(List.of(), report(model, "shop", "app").diagnostics());
        assertEquals(List.of("shop.example|PREFIX|/"), report(model, "shop", "app").routeIds());
    }

    @Test
    void terminatingEndpointsGetNoRequestsWhileAnotherIsReady() {
        Ingress ingress = ingress("shop", "app", null, rule("shop.example", prefix("/", "web")));
        EndpointSlice rolling = new EndpointSliceBuilder(slice("shop", "web", "web-1", "IPv4", "http", 8080,
                "10.0.0.1"))
                // A pod being deleted, as the endpoints controller writes it.
                .addNewEndpoint().withAddresses("10.0.0.2")
                .withNewConditions().withReady(false).withServing(true).withTerminating(true).endConditions()
                .endEndpoint()
                // The same, of a Service with publishNotReadyAddresses: still marked ready.
                .addNewEndpoint().withAddresses("10.0.0.3")
                .withNewConditions().withReady(true).withServing(true).withTerminating(true).endConditions()
                .endEndpoint()
                .build();

        RouteModel model = translate(snapshot(List.of(ingress), List.of(WEB), List.of(rolling)));

        assertEquals(List.of("10.0.0.1:8080"), model.upstreams().get(key("shop", "web", "80")).endpoints().stream()
                .map(Object::toString).toList());
    }

    @Test
    void whenEveryEndpointTerminatesThoseStillServingTakeRequestsAsKubeProxyDoes() {
        Ingress ingress = ingress("shop", "app", null, rule("shop.example", prefix("/", "web")));
        EndpointSlice terminating = new EndpointSliceBuilder(slice("shop", "web", "web-1", "IPv4", "http", 8080))
                .addNewEndpoint().withAddresses("10.0.0.2")
                .withNewConditions().withReady(false).withServing(true).withTerminating(true).endConditions()
                .endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.3")
                .withNewConditions().withReady(false).withServing(false).withTerminating(true).endConditions()
                .endEndpoint()
                .build();

        RouteModel model = translate(snapshot(List.of(ingress), List.of(WEB), List.of(terminating)));

        assertEquals(List.of("10.0.0.2:8080"), model.upstreams().get(key("shop", "web", "80")).endpoints().stream()
                .map(Object::toString).toList());
    }

    @Test
    void serviceIsLookedUpInTheIngressNamespaceOnly() {
        Ingress ingress = ingress("elsewhere", "app", null, rule("shop.example", prefix("/", "web")));

        RouteModel model = translate(snapshot(List.of(ingress), SERVICES, SLICES));

        assertEquals(List.of(), model.upstreams().get(key("elsewhere", "web", "80")).endpoints());
        assertTrue(report(model, "elsewhere", "app").diagnostics().get(0).message().contains("does not exist"));
    }

    @Test
    void upstreamIsSharedByRoutesAndEveryReferenceGetsItsDiagnostic() {
        Ingress a = ingress("shop", "a", null, rule("a.example", prefix("/", "nope"), prefix("/x", "web")));
        Ingress b = ingress("shop", "b", null, rule("b.example", prefix("/", "nope")));

        RouteModel model = translate(snapshot(List.of(a, b), SERVICES, SLICES));

        assertEquals(Set.of(key("shop", "nope", "80"), key("shop", "web", "80")), model.upstreams().keySet());
        assertEquals(1, report(model, "shop", "a").diagnostics().size());
        assertEquals(1, report(model, "shop", "b").diagnostics().size());
        assertFalse(model.upstreams().get(key("shop", "web", "80")).externalName());
    }
}
