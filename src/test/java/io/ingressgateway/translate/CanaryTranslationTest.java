package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.CanaryPolicy;
import io.ingressgateway.model.policy.CanaryRules;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A canary Ingress claims no host nor path: each of its paths attaches its backend to the main route with the same
 * host, path type and path, as ingress-nginx merges a canary backend; anything else is a warning on the canary.
 */
class CanaryTranslationTest {

    static final String CANARY = "nginx.ingress.kubernetes.io/canary";
    static final String BY_HEADER = "nginx.ingress.kubernetes.io/canary-by-header";
    static final CanaryRules BY_X_CANARY = new CanaryRules("X-Canary", null, null, null, 0, 100);

    static Ingress canary(String name, String created, IngressRule... rules) {
        return ingress("shop", name, created).editMetadata().addToAnnotations(Map.of(CANARY, "true", BY_HEADER,
                "X-Canary")).endMetadata().editSpec().withRules(rules).endSpec().build();
    }

    static Route route(RouteModel model, String host, String path) {
        return vhost(model, host).routes().stream().filter(r -> r.path().path().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no route " + path + " on " + host));
    }

    @Test
    void aCanaryIsAttachedToTheMainRouteWithTheSameHostAndPathWhicheverIsOlder() {
        Ingress main = ingress("shop", "main", "2025-01-01T00:00:00Z",
                rule("shop.example.com", prefix("/", "web"), prefix("/api", "api")));
        Ingress canary = canary("canary", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/api", "api-v2")));

        RouteModel model = translate(withServices(List.of(canary, main)));

        Route api = route(model, "shop.example.com", "/api");
        assertThat(api.ingress()).isEqualTo(new IngressRef("shop", "main"));
        assertThat(api.upstreamKey()).isEqualTo(new UpstreamKey("shop", "api", "80"));
        assertThat(api.policies().get(CanaryPolicy.class)).isEqualTo(new CanaryPolicy("shop", "canary", "api-v2",
                "80", BY_X_CANARY));
        assertThat(route(model, "shop.example.com", "/").policies().get(CanaryPolicy.class)).isNull();
        // The canary's Service is an upstream of the model, so the data plane can reach it.
        assertThat(model.upstreams()).containsKey(new UpstreamKey("shop", "api-v2", "80"));
        assertThat(report(model, "shop", "canary").diagnostics()).isEmpty();
        assertThat(report(model, "shop", "canary").routeIds()).isEmpty();
        assertThat(report(model, "shop", "main").diagnostics()).isEmpty();
    }

    @Test
    void aCanaryWithoutMainIngressServesNothingAndSaysSo() {
        Ingress canary = canary("canary", "2024-01-01T00:00:00Z", rule("alone.example.com", prefix("/", "api-v2")));

        RouteModel model = translate(withServices(List.of(canary)));

        assertThat(model.virtualHosts()).isEmpty();
        assertThat(model.upstreams()).isEmpty();
        assertThat(report(model, "shop", "canary").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("spec.rules[0].http.paths[0]");
            assertThat(diagnostic.message()).contains("no main Ingress serves host alone.example.com");
        });
    }

    @Test
    void aCanaryPathThatDiffersFromTheMainOneIsNotAttached() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/api",
                "api")));
        // Another path, and the same path with another path type: neither is the main route's location.
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com", prefix("/other",
                "api-v2"), path("Exact", "/api", "api-v2", 80)));

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(vhost(model, "shop.example.com").routes()).singleElement().satisfies(route -> {
            assertThat(route.path().path()).isEqualTo("/api");
            assertThat(route.policies().get(CanaryPolicy.class)).isNull();
        });
        assertThat(model.upstreams()).doesNotContainKey(new UpstreamKey("shop", "api-v2", "80"));
        assertThat(report(model, "shop", "canary").diagnostics()).hasSize(2)
                .allSatisfy(d -> assertThat(d.message()).contains("no main Ingress serves host shop.example.com"));
    }

    @Test
    void aCanaryOnAnotherHostIsNotAttached() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/",
                "web")));
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("other.example.com", prefix("/", "web-v2")));

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(model.virtualHosts()).extracting(v -> v.host().pattern()).containsExactly("shop.example.com");
        assertThat(route(model, "shop.example.com", "/").policies().get(CanaryPolicy.class)).isNull();
        assertThat(report(model, "shop", "canary").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("other.example.com"));
    }

    @Test
    void aCanaryWithoutUseRegexAttachesToAMainRegexRouteOfTheSamePath() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com",
                path("ImplementationSpecific", "/api/v[0-9]+", "api", 80))).edit().editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/use-regex", "true").endMetadata().build();
        // ingress-nginx ignores a canary's other annotations: its path is the main location's as written.
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com",
                path("ImplementationSpecific", "/api/v[0-9]+", "api-v2", 80)));

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(route(model, "shop.example.com", "/api/v[0-9]+").policies().get(CanaryPolicy.class))
                .isEqualTo(new CanaryPolicy("shop", "canary", "api-v2", "80", BY_X_CANARY));
        assertThat(report(model, "shop", "canary").diagnostics()).isEmpty();
    }

    @Test
    void aPlainCanaryPathAttachesToTheMainRouteOfTheSameTextWhereTheMainIngressTurnsRegexOn() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com",
                prefix("/api", "api"))).edit().editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/use-regex", "true").endMetadata().build();
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com", prefix("/api", "api-v2")));

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(route(model, "shop.example.com", "/api").policies().get(CanaryPolicy.class)).isNotNull();
        assertThat(report(model, "shop", "canary").diagnostics()).isEmpty();
    }

    @Test
    void onlyTheOldestOfTwoCanariesIsHonoured() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));
        Ingress first = canary("first", "2024-06-01T00:00:00Z", rule("shop.example.com", prefix("/", "web-v2")));
        Ingress second = canary("second", "2024-07-01T00:00:00Z", rule("shop.example.com", prefix("/", "web-v3")));

        RouteModel model = translate(withServices(List.of(second, main, first)));

        assertThat(route(model, "shop.example.com", "/").policies().get(CanaryPolicy.class).ingress())
                .isEqualTo("first");
        assertThat(report(model, "shop", "first").diagnostics()).isEmpty();
        assertThat(report(model, "shop", "second").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("already has canary Ingress shop/first"));
        assertThat(model.upstreams()).doesNotContainKey(new UpstreamKey("shop", "web-v3", "80"));
    }

    @Test
    void aCanaryToTheMainBackendItselfIsIgnored() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(route(model, "shop.example.com", "/").policies().get(CanaryPolicy.class)).isNull();
        assertThat(report(model, "shop", "canary").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("already goes to shop/web:80"));
    }

    @Test
    void aCanarysDefaultBackendIsNotTheCatchAll() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));
        Ingress canary = ingress("shop", "canary", "2023-01-01T00:00:00Z").editMetadata()
                .addToAnnotations(CANARY, "true").endMetadata().editSpec()
                .withNewDefaultBackend().withNewService().withName("web-v2").withNewPort().withNumber(80).endPort()
                .endService().endDefaultBackend().endSpec().build();

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(model.defaultUpstreamKey()).isNull();
        assertThat(report(model, "shop", "canary").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.field()).isEqualTo("spec.defaultBackend"));
    }

    @Test
    void aCanarysTlsSectionIsIgnoredWithAWarning() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web-v2")))
                .edit().editSpec().withTls(new IngressTLSBuilder().withHosts("shop.example.com")
                        .withSecretName("canary-cert").build()).endSpec().build();

        RouteModel model = translate(withServices(List.of(main, canary)));

        assertThat(model.tls().hosts()).isEmpty();
        assertThat(report(model, "shop", "canary").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.field()).isEqualTo("spec.tls"));
        assertThat(route(model, "shop.example.com", "/").policies().get(CanaryPolicy.class)).isNotNull();
    }

    @Test
    void theCanaryFollowsItsMainIngressAcrossChanges() {
        Ingress main = ingress("shop", "main", "2024-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web")));
        Ingress canary = canary("canary", "2025-01-01T00:00:00Z", rule("shop.example.com", prefix("/", "web-v2")));
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);

        RouteModel withoutMain = translator.translate(withServices(List.of(canary)));
        RouteModel withMain = translator.translate(withServices(List.of(canary, main)));
        RouteModel mainGone = translator.translate(withServices(List.of(canary)));

        assertThat(withoutMain.virtualHosts()).isEmpty();
        assertThat(route(withMain, "shop.example.com", "/").policies().get(CanaryPolicy.class)).isNotNull();
        assertThat(withMain.upstreams()).containsKey(new UpstreamKey("shop", "web-v2", "80"));
        assertThat(report(withMain, "shop", "canary").diagnostics()).isEmpty();
        assertThat(mainGone.virtualHosts()).isEmpty();
        assertThat(mainGone.upstreams()).isEmpty();
        assertThat(report(mainGone, "shop", "canary").diagnostics()).hasSize(1);
    }
}
