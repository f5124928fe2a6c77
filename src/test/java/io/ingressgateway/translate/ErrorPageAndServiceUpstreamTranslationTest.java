package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.slice;
import static io.ingressgateway.translate.Fixtures.SETTINGS;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The annotations the translator completes with the cluster's Services: {@code default-backend} (the Service's first
 * port becomes an upstream of the model although no rule names it) and {@code service-upstream} (the Service's
 * ClusterIP as an upstream of its own, beside the endpoints other Ingresses use).
 */
class ErrorPageAndServiceUpstreamTranslationTest {

    static final String NGINX = "nginx.ingress.kubernetes.io/";

    static final Service WEB = withClusterIp(service("shop", "web", port("http", 80, 8080)), "10.96.0.7");
    static final Service ERRORS = service("shop", "errors", port("http", 8080), port("metrics", 9090));
    static final Service HEADLESS = withClusterIp(service("shop", "headless", port("http", 80)), "None");
    static final List<EndpointSlice> SLICES = List.of(
            slice("shop", "web", "web-1", "IPv4", "http", 8080, "10.1.0.1", "10.1.0.2"),
            slice("shop", "errors", "errors-1", "IPv4", "http", 8080, "10.1.0.9"),
            slice("shop", "errors", "errors-2", "IPv4", "metrics", 9090, "10.1.0.9"),
            slice("shop", "headless", "headless-1", "IPv4", "http", 80, "10.1.0.5"));

    static Service withClusterIp(Service service, String clusterIp) {
        return new ServiceBuilder(service).editSpec().withClusterIP(clusterIp).endSpec().build();
    }

    static Ingress annotated(String name, String host, String service, Map<String, String> annotations) {
        return ingress("shop", name, "2024-01-01T00:00:00Z").editMetadata().addToAnnotations(annotations)
                .endMetadata().editSpec().withRules(rule(host, path("Prefix", "/", service, 80))).endSpec().build();
    }

    static RouteModel translateAll(Ingress... ingresses) {
        return translate(snapshot(List.of(ingresses), List.of(WEB, ERRORS, HEADLESS), SLICES));
    }

    static Route onlyRoute(RouteModel model, String host) {
        return vhost(model, host).routes().get(0);
    }

    @Test
    void theDefaultBackendIsTheServicesFirstPortAndAnUpstreamOfTheModel() {
        RouteModel model = translateAll(annotated("shop", "shop.example.com", "web",
                Map.of(NGINX + "default-backend", "errors", NGINX + "custom-http-errors", "404,503")));

        UpstreamKey errors = new UpstreamKey("shop", "errors", "8080");
        ErrorPagePolicy policy = onlyRoute(model, "shop.example.com").policies().get(ErrorPagePolicy.class);
        assertThat(UpstreamKey.defaultBackendOf(policy)).isEqualTo(errors);
        assertThat(policy.interceptedCodes()).containsExactlyInAnyOrder(404, 503);
        assertThat(model.upstreams().get(errors).endpoints()).containsExactly(new Endpoint("10.1.0.9", 8080));
        assertThat(report(model, "shop", "shop").diagnostics()).isEmpty();
    }

    @Test
    void anUnknownDefaultBackendIsAWarningAndNoUpstream() {
        RouteModel model = translateAll(annotated("shop", "shop.example.com", "web",
                Map.of(NGINX + "default-backend", "missing", NGINX + "custom-http-errors", "503")));

        ErrorPagePolicy policy = onlyRoute(model, "shop.example.com").policies().get(ErrorPagePolicy.class);
        assertThat(UpstreamKey.defaultBackendOf(policy)).isNull();
        assertThat(policy.interceptedCodes()).containsExactly(503);
        assertThat(model.upstreams().keySet()).extracting(UpstreamKey::service).containsExactly("web");
        assertThat(report(model, "shop", "shop").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX + "default-backend']");
            assertThat(diagnostic.message()).contains("shop/missing does not exist").contains("no effect");
        });
    }

    @Test
    void theDefaultBackendsUpstreamGoesWithTheLastIngressNamingIt() {
        IngressTranslator translator = new IngressTranslator(SETTINGS);
        Ingress withDefault = annotated("shop", "shop.example.com", "web", Map.of(NGINX + "default-backend",
                "errors"));
        Ingress plain = annotated("plain", "plain.example.com", "web", Map.of());
        UpstreamKey errors = new UpstreamKey("shop", "errors", "8080");

        RouteModel both = translator.translate(new io.ingressgateway.source.ClusterSnapshot(List.of(withDefault,
                plain), List.of(Fixtures.ourClass()), List.of(WEB, ERRORS, HEADLESS), SLICES, List.of(), 6));
        RouteModel plainOnly = translator.translate(new io.ingressgateway.source.ClusterSnapshot(List.of(plain),
                List.of(Fixtures.ourClass()), List.of(WEB, ERRORS, HEADLESS), SLICES, List.of(), 7));

        assertThat(both.upstreams()).containsKey(errors);
        assertThat(plainOnly.upstreams()).doesNotContainKey(errors);
        assertThat(plainOnly).isEqualTo(translateAll(plain));
    }

    @Test
    void serviceUpstreamIsAnUpstreamOfItsOwnBesideTheEndpointsAnotherIngressUses() {
        RouteModel model = translateAll(
                annotated("cluster-ip", "vip.example.com", "web", Map.of(NGINX + "service-upstream", "true")),
                annotated("pods", "pods.example.com", "web", Map.of()));

        UpstreamKey viaClusterIp = onlyRoute(model, "vip.example.com").upstreamKey();
        UpstreamKey viaEndpoints = onlyRoute(model, "pods.example.com").upstreamKey();
        assertThat(viaClusterIp).isEqualTo(new UpstreamKey("shop", "web", "80", true));
        assertThat(viaEndpoints).isEqualTo(new UpstreamKey("shop", "web", "80"));
        // The Service's port (80), not the target port: the cluster forwards it to the pods.
        assertThat(model.upstreams().get(viaClusterIp).endpoints()).containsExactly(new Endpoint("10.96.0.7", 80));
        assertThat(model.upstreams().get(viaEndpoints).endpoints())
                .containsExactly(new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080));
        assertThat(report(model, "shop", "cluster-ip").diagnostics()).isEmpty();
    }

    @Test
    void aHeadlessServiceKeepsItsEndpointsWithAWarning() {
        RouteModel model = translateAll(annotated("headless", "headless.example.com", "headless",
                Map.of(NGINX + "service-upstream", "true")));

        UpstreamKey key = onlyRoute(model, "headless.example.com").upstreamKey();
        assertThat(key).isEqualTo(new UpstreamKey("shop", "headless", "80"));
        assertThat(model.upstreams().get(key).endpoints()).containsExactly(new Endpoint("10.1.0.5", 80));
        assertThat(report(model, "shop", "headless").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("spec.rules[0].http.paths[0].backend");
            assertThat(diagnostic.message()).contains("headless").contains("endpoints");
        });
    }

    @Test
    void aServiceWithoutClusterIpKeepsItsEndpointsWithAWarning() {
        RouteModel model = translate(snapshot(List.of(annotated("no-ip", "no-ip.example.com", "errors",
                Map.of(NGINX + "service-upstream", "true"))), List.of(service("shop", "errors", port("http", 80))),
                List.of()));

        assertThat(onlyRoute(model, "no-ip.example.com").upstreamKey().serviceAddress()).isFalse();
        assertThat(report(model, "shop", "no-ip").diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.message()).contains("has no ClusterIP"));
    }
}
