package io.ingressgateway;

import static io.ingressgateway.support.Objects.OUR_CONTROLLER;
import static io.ingressgateway.support.Objects.endpointSlice;
import static io.ingressgateway.support.Objects.externalNameService;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.serviceBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.HttpProbe.Response;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole controller, end to end: the real gateway on a real port, watching a real (mock, CRUD-mode) API server,
 * proxying to real HTTP backends on loopback. Each test works in its own namespace and hosts.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        // proxiesToExternalNameServices points an ExternalName at this test's loopback backend.
        "ingress-gateway.external-name-services.enabled=true",
        "ingress-gateway.external-name-services.allowed-cidrs=127.0.0.1/32",
        // Reads /actuator/gateway/routes, not exposed by default.
        "management.endpoints.web.exposure.include=health,info,prometheus,gateway,ingresses",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.status.publish-address=203.0.113.10",
        "ingress-gateway.status.lease-namespace=ingress-gateway",
        "ingress-gateway.status.identity=it-gateway"})
@DirtiesContext
class IngressControllerIT {

    /**
     * How long a change may take to be served before the test gives up: a ceiling for a loaded CI machine, not a
     * latency target. How fast changes are served is measured by {@code bench/convergence} (docs/benchmarks.md).
     */
    static final Duration SERVED_WITHIN = Duration.ofSeconds(30);

    static final ApiServer api = new ApiServer();
    static final Backend a = new Backend("backend-a");
    static final Backend b = new Backend("backend-b");
    static final Backend c = new Backend("backend-c");

    static {
        api.apply(namespace("ingress-gateway"));
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, false));
        api.apply(ingressClass("other", "example.com/other-controller", false));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        c.close();
        api.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    HttpProbe http;

    @BeforeEach
    void ready() {
        http = new HttpProbe(port);
        HttpProbe management = new HttpProbe(managementPort);
        await().atMost(Duration.ofSeconds(20)).until(
                () -> management.get("localhost", "/actuator/health/readiness").status() == 200);
    }

    /** A Service {@code name} in {@code ns} whose only ready endpoint is {@code backend}, on a port named "http". */
    void serviceFor(String ns, String name, Backend backend) {
        api.apply(service(ns, name, port("http", 80, 8080)));
        api.apply(endpointSlice(ns, name, name + "-1", "http", backend.port(), true));
    }

    void awaitServed(String host, String path, String expectedBody) {
        await().atMost(SERVED_WITHIN).pollInterval(Duration.ofMillis(10)).untilAsserted(() -> {
            Response response = http.get(host, path);
            assertThat(response.status()).as("%s%s", host, path).isEqualTo(200);
            assertThat(response.body()).isEqualTo(expectedBody);
        });
    }

    void awaitStatus(String host, String path, int status) {
        await().atMost(SERVED_WITHIN).pollInterval(Duration.ofMillis(10)).untilAsserted(
                () -> assertThat(http.get(host, path).status()).as("%s%s", host, path).isEqualTo(status));
    }

    void assertServedBy(String host, String path, Backend backend) {
        Response response = http.get(host, path);
        assertThat(response.status()).as("%s%s", host, path).isEqualTo(200);
        assertThat(response.body()).as("%s%s", host, path).isEqualTo(backend.name());
    }

    void assertStatus(String host, String path, int status) {
        assertThat(http.get(host, path).status()).as("%s%s", host, path).isEqualTo(status);
    }

    /**
     * Basic auth from a cluster (issue 13 items 6 and 10): the Opaque Secret an Ingress names in auth-secret reaches
     * the gateway although it is not a TLS Secret, a Secret created after the Ingress opens the route to its users,
     * and a change of the Secret applies (the old password stops working) without a restart.
     */
    @Test
    void basicAuthFollowsItsOpaqueSecretInTheCluster() {
        String ns = "basic-auth";
        api.apply(namespace(ns));
        serviceFor(ns, "app", a);
        api.apply(ingress(ns, "protected").className("ingress-gateway")
                .annotation("nginx.ingress.kubernetes.io/auth-type", "basic")
                .annotation("nginx.ingress.kubernetes.io/auth-secret", "users")
                .annotation("nginx.ingress.kubernetes.io/auth-realm", "Cluster staff")
                .rules(rule("auth.cluster.test", path("Prefix", "/", serviceBackend("app", 80)))).build());
        // No Secret yet: denied, never served unauthenticated.
        awaitStatus("auth.cluster.test", "/", 503);

        // apr1 hashes of "secret" and then of "changed" (openssl passwd -apr1 -salt saltsalt).
        api.apply(usersSecret(ns, "alice:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0\n"));
        Map<String, String> secret = Map.of("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8)));
        await().atMost(SERVED_WITHIN).untilAsserted(() ->
                assertThat(http.get("auth.cluster.test", "/", secret).status()).isEqualTo(200));
        Response challenge = http.get("auth.cluster.test", "/");
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Cluster staff\"");

        api.apply(usersSecret(ns, "alice:" + changedHash() + "\n"));
        await().atMost(SERVED_WITHIN).untilAsserted(() ->
                assertThat(http.get("auth.cluster.test", "/", secret).status()).isEqualTo(401));
        assertThat(http.get("auth.cluster.test", "/", Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString("alice:changed".getBytes(StandardCharsets.UTF_8)))).status()).isEqualTo(200);
    }

    /** {@code openssl passwd -apr1 -salt saltsalt changed}. */
    private static String changedHash() {
        return "$apr1$saltsalt$MRmgWQHqC19/jZeccZmVv1";
    }

    private static io.fabric8.kubernetes.api.model.Secret usersSecret(String ns, String htpasswd) {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withNamespace(ns)
                .withName("users").endMetadata().withType("Opaque")
                .addToData("auth", Base64.getEncoder().encodeToString(htpasswd.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    @Test
    void servesOnlyIngressesOfOurClassAndWritesStatusOnlyForThem() {
        String ns = "class-selection";
        api.apply(namespace(ns));
        serviceFor(ns, "app", a);
        var app = serviceBackend("app", 80);
        api.apply(ingress(ns, "by-class-name").className("ingress-gateway")
                .rules(rule("ours.class.test", path("Prefix", "/", app))).build());
        api.apply(ingress(ns, "other-class").className("other")
                .rules(rule("other.class.test", path("Prefix", "/", app))).build());
        api.apply(ingress(ns, "unknown-class").className("no-such-class")
                .rules(rule("unknown.class.test", path("Prefix", "/", app))).build());
        api.apply(ingress(ns, "legacy-annotation").annotation("kubernetes.io/ingress.class", "ingress-gateway")
                .rules(rule("legacy.class.test", path("Prefix", "/", app))).build());
        api.apply(ingress(ns, "legacy-other").annotation("kubernetes.io/ingress.class", "nginx")
                .rules(rule("legacy-other.class.test", path("Prefix", "/", app))).build());
        api.apply(ingress(ns, "no-class")
                .rules(rule("no-class.class.test", path("Prefix", "/", app))).build());

        awaitServed("ours.class.test", "/", a.name());
        awaitServed("legacy.class.test", "/", a.name());
        assertStatus("other.class.test", "/", 404);
        assertStatus("unknown.class.test", "/", 404);
        assertStatus("legacy-other.class.test", "/", 404);
        // Our class is not the default yet: an Ingress without class is someone else's.
        assertStatus("no-class.class.test", "/", 404);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(loadBalancer(ns, "by-class-name")).extracting(IngressLoadBalancerIngress::getIp)
                    .containsExactly("203.0.113.10");
            assertThat(loadBalancer(ns, "legacy-annotation")).extracting(IngressLoadBalancerIngress::getIp)
                    .containsExactly("203.0.113.10");
        });

        // Made the default class, ours also serves Ingresses that name no class.
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, true));
        try {
            awaitServed("no-class.class.test", "/", a.name());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(loadBalancer(ns, "no-class")).extracting(IngressLoadBalancerIngress::getIp)
                            .containsExactly("203.0.113.10"));
        } finally {
            api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, false));
        }
        awaitStatus("no-class.class.test", "/", 404);

        // Status went to our Ingresses long ago; other classes' Ingresses were never written.
        assertThat(loadBalancer(ns, "other-class")).isEmpty();
        assertThat(loadBalancer(ns, "unknown-class")).isEmpty();
        assertThat(loadBalancer(ns, "legacy-other")).isEmpty();
    }

    List<IngressLoadBalancerIngress> loadBalancer(String ns, String name) {
        Ingress ingress = api.client().network().v1().ingresses().inNamespace(ns).withName(name).get();
        if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ingress.getStatus().getLoadBalancer().getIngress();
    }

    @Test
    void matchesHostsExactlyAndWildcardsByOneLabel() {
        String ns = "hosts";
        api.apply(namespace(ns));
        serviceFor(ns, "exact", a);
        serviceFor(ns, "wild", b);
        api.apply(ingress(ns, "hosts").className("ingress-gateway").rules(
                rule("exact.hosts.test", path("Prefix", "/", serviceBackend("exact", 80))),
                rule("*.hosts.test", path("Prefix", "/", serviceBackend("wild", 80)))).build());

        awaitServed("exact.hosts.test", "/", a.name());
        assertServedBy("EXACT.Hosts.Test", "/", a);
        assertServedBy("exact.hosts.test:8080", "/x", a);
        assertServedBy("one.hosts.test", "/", b);
        assertServedBy("ONE.hosts.test:443", "/", b);
        assertStatus("two.labels.hosts.test", "/", 404);
        assertStatus("hosts.test", "/", 404);
        assertStatus("unrelated.test", "/", 404);
    }

    @Test
    void matchesExactPrefixAndTrailingSlashPaths() {
        String ns = "paths";
        api.apply(namespace(ns));
        serviceFor(ns, "a", a);
        serviceFor(ns, "b", b);
        serviceFor(ns, "c", c);
        api.apply(ingress(ns, "paths").className("ingress-gateway").rules(rule("paths.test",
                path("Exact", "/exact", serviceBackend("a", 80)),
                path("Prefix", "/prefix", serviceBackend("b", 80)),
                path("Prefix", "/trailing/", serviceBackend("c", 80)),
                path("ImplementationSpecific", "/impl", serviceBackend("a", 80)))).build());

        awaitServed("paths.test", "/exact", a.name());
        assertStatus("paths.test", "/exact/", 404);
        assertStatus("paths.test", "/Exact", 404);
        assertStatus("paths.test", "/exact/more", 404);
        assertServedBy("paths.test", "/prefix", b);
        assertServedBy("paths.test", "/prefix/", b);
        assertServedBy("paths.test", "/prefix/deeper/still", b);
        assertStatus("paths.test", "/prefixed", 404);
        assertServedBy("paths.test", "/trailing", c);
        assertServedBy("paths.test", "/trailing/", c);
        assertServedBy("paths.test", "/trailing/x", c);
        assertStatus("paths.test", "/trailingx", 404);
        assertServedBy("paths.test", "/impl/x", a);
        assertStatus("paths.test", "/implx", 404);
        // Rules match the normalised path, so dot segments and escapes cannot smuggle a request past its rule.
        assertServedBy("paths.test", "/prefix/../exact", a);
        assertServedBy("paths.test", "/%70refix/x", b);
        // A dot segment written with escapes is ambiguous (upstreams disagree on it): refused before routing.
        assertStatus("paths.test", "/prefix/%2e%2e/nothing", 400);
    }

    @Test
    void appliesPrecedenceLongestPathExactBeforePrefixAndHostBeforeWildcard() {
        String ns = "precedence";
        api.apply(namespace(ns));
        serviceFor(ns, "a", a);
        serviceFor(ns, "b", b);
        serviceFor(ns, "c", c);
        api.apply(ingress(ns, "precedence").className("ingress-gateway").rules(
                rule("prec.test",
                        path("Prefix", "/", serviceBackend("a", 80)),
                        path("Prefix", "/api", serviceBackend("b", 80)),
                        path("Exact", "/api", serviceBackend("c", 80)),
                        path("Prefix", "/api/v2", serviceBackend("a", 80))),
                rule("www.prec.test", path("Prefix", "/only", serviceBackend("c", 80))),
                rule("*.prec.test", path("Prefix", "/", serviceBackend("b", 80)))).build());

        awaitServed("prec.test", "/api", c.name());
        assertServedBy("prec.test", "/api/", b);
        assertServedBy("prec.test", "/api/v1", b);
        assertServedBy("prec.test", "/api/v2/users", a);
        assertServedBy("prec.test", "/elsewhere", a);
        assertServedBy("www.prec.test", "/only/here", c);
        // The exact host is chosen before the wildcard, and its unmatched paths do not fall through to it.
        assertStatus("www.prec.test", "/elsewhere", 404);
        assertServedBy("shop.prec.test", "/elsewhere", b);
    }

    @Test
    void mergesRulesOfSeveralIngressesAndGivesConflictsToTheOldest() {
        String ns = "merge";
        api.apply(namespace(ns));
        serviceFor(ns, "a", a);
        serviceFor(ns, "b", b);
        // Named so that namespace/name order would pick the younger one: only age can make "z-older" win.
        api.applyThenTick(ingress(ns, "z-older").className("ingress-gateway").rules(
                rule("merge.test",
                        path("Prefix", "/a", serviceBackend("a", 80)),
                        path("Prefix", "/shared", serviceBackend("a", 80)))).build());
        api.apply(ingress(ns, "a-newer").className("ingress-gateway").rules(
                rule("merge.test",
                        path("Prefix", "/b", serviceBackend("b", 80)),
                        path("Prefix", "/shared", serviceBackend("b", 80)))).build());

        awaitServed("merge.test", "/a", a.name());
        awaitServed("merge.test", "/b", b.name());
        assertServedBy("merge.test", "/shared", a);

        Response report = new HttpProbe(managementPort).get("localhost", "/actuator/ingresses/merge/a-newer",
                Map.of("Accept", "application/json"));
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.body()).contains("merge/z-older").contains("/shared");
    }

    @Test
    void resolvesNamedAndNumberedServicePortsThroughEndpointSlicePortNames() {
        String ns = "ports";
        api.apply(namespace(ns));
        api.apply(service(ns, "multi", port("web", 80, 8080), port("admin", 81, 9090)));
        api.apply(endpointSlice(ns, "multi", "multi-web", "web", a.port(), true));
        api.apply(endpointSlice(ns, "multi", "multi-admin", "admin", b.port(), true));
        api.apply(ingress(ns, "ports").className("ingress-gateway").rules(rule("ports.test",
                path("Prefix", "/web", serviceBackend("multi", "web")),
                path("Prefix", "/admin", serviceBackend("multi", 81)))).build());

        awaitServed("ports.test", "/web", a.name());
        assertServedBy("ports.test", "/admin", b);
    }

    @Test
    void answers503WhenARuleHasNoReadyEndpoint() {
        String ns = "unavailable";
        api.apply(namespace(ns));
        serviceFor(ns, "ready", a);
        api.apply(service(ns, "no-endpoints", port("http", 80, 8080)));
        api.apply(service(ns, "not-ready", port("http", 80, 8080)));
        api.apply(endpointSlice(ns, "not-ready", "not-ready-1", "http", b.port(), false));
        api.apply(ingress(ns, "unavailable").className("ingress-gateway").rules(rule("unavailable.test",
                path("Prefix", "/ready", serviceBackend("ready", 80)),
                path("Prefix", "/no-endpoints", serviceBackend("no-endpoints", 80)),
                path("Prefix", "/not-ready", serviceBackend("not-ready", 80)),
                path("Prefix", "/missing-service", serviceBackend("does-not-exist", 80)),
                path("Prefix", "/unknown-port", serviceBackend("ready", 12345)))).build());

        awaitServed("unavailable.test", "/ready", a.name());
        assertStatus("unavailable.test", "/no-endpoints", 503);
        assertStatus("unavailable.test", "/not-ready", 503);
        assertStatus("unavailable.test", "/missing-service", 503);
        assertStatus("unavailable.test", "/unknown-port", 503);
        assertThat(b.requests()).noneMatch(r -> r.getHeader("Host").startsWith("unavailable.test"));
    }

    @Test
    void proxiesToExternalNameServices() {
        String ns = "external";
        api.apply(namespace(ns));
        api.apply(externalNameService(ns, "outside", "127.0.0.1"));
        api.apply(ingress(ns, "external").className("ingress-gateway").rules(rule("external.test",
                path("Prefix", "/", serviceBackend("outside", c.port())))).build());

        awaitServed("external.test", "/", c.name());
    }

    @Test
    void preservesHostAndSetsForwardedHeaders() {
        String ns = "headers";
        api.apply(namespace(ns));
        serviceFor(ns, "echo", b);
        api.apply(ingress(ns, "headers").className("ingress-gateway").rules(rule("headers.test",
                path("Prefix", "/", serviceBackend("echo", 80)))).build());
        awaitServed("headers.test", "/", b.name());

        b.reset();
        Response response = http.get("headers.test:8080", "/where?x=1", Map.of(
                "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Host", "spoofed.test", "X-Request-ID", "req-12345"));
        assertThat(response.status()).isEqualTo(200);
        var seen = b.lastRequest();
        assertThat(seen.getHeader("Host")).isEqualTo("headers.test:8080");
        assertThat(seen.getUrl()).isEqualTo("/where?x=1");
        assertThat(seen.getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(seen.getHeader("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(seen.getHeader("X-Forwarded-Host")).isEqualTo("headers.test:8080");
        assertThat(seen.getHeader("X-Forwarded-Proto")).isEqualTo("http");
        // The port clients connect to on the Service (listener.public-port, 80), never the Host header's.
        assertThat(seen.getHeader("X-Forwarded-Port")).isEqualTo("80");
        assertThat(seen.getHeader("X-Request-ID")).isEqualTo("req-12345");

        http.get("headers.test", "/again");
        assertThat(b.lastRequest().getHeader("X-Request-ID")).isNotBlank().isNotEqualTo("req-12345");
        assertThat(b.lastRequest().getHeader("X-Forwarded-Port")).isEqualTo("80");
    }

    @Test
    void exposesGatewayRoutesAndMetricsOnlyOnTheManagementPort() {
        String ns = "ops";
        api.apply(namespace(ns));
        serviceFor(ns, "app", a);
        api.apply(ingress(ns, "ops").className("ingress-gateway").rules(rule("ops.test",
                path("Exact", "/status", serviceBackend("app", 80)))).build());
        awaitServed("ops.test", "/status", a.name());

        HttpProbe management = new HttpProbe(managementPort);
        Response routes = management.get("localhost", "/actuator/gateway/routes");
        assertThat(routes.status()).isEqualTo(200);
        assertThat(routes.body()).contains("ops.test|EXACT|/status");
        Response metrics = management.get("localhost", "/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("ingress_gateway_routes");

        // The traffic port answers Actuator paths like any other unmatched request: with the controller's 404.
        for (String path : List.of("/actuator/health", "/actuator/gateway/routes", "/actuator/prometheus")) {
            assertStatus("ops.test", path, 404);
            assertStatus("localhost", path, 404);
        }
    }

    @Test
    void answersUnmatchedRequestsWith404AsJsonOrHtml() {
        Response json = http.get("nobody.test", "/", Map.of("Accept", "application/json"));
        assertThat(json.status()).isEqualTo(404);
        assertThat(json.header("Content-Type")).startsWith("application/json");
        assertThat(json.body()).contains("404");

        Response html = http.get("nobody.test", "/", Map.of("Accept", "text/html"));
        assertThat(html.status()).isEqualTo(404);
        assertThat(html.header("Content-Type")).startsWith("text/html");
    }

    @Test
    void balancesRoundRobinOverReadyEndpoints() {
        String ns = "balance";
        api.apply(namespace(ns));
        api.apply(service(ns, "pool", port("http", 80, 8080)));
        api.apply(endpointSlice(ns, "pool", "pool-a", "http", a.port(), true));
        api.apply(endpointSlice(ns, "pool", "pool-b", "http", b.port(), true));
        api.apply(endpointSlice(ns, "pool", "pool-c", "http", c.port(), false));
        api.apply(ingress(ns, "balance").className("ingress-gateway").rules(rule("balance.test",
                path("Prefix", "/", serviceBackend("pool", 80)))).build());
        awaitStatus("balance.test", "/", 200);
        await().atMost(SERVED_WITHIN).untilAsserted(() -> {
            var bodies = java.util.stream.IntStream.range(0, 4).mapToObj(i -> http.get("balance.test", "/").body())
                    .toList();
            assertThat(bodies).containsOnly(a.name(), b.name());
            assertThat(bodies.get(0)).isNotEqualTo(bodies.get(1));
            assertThat(bodies.get(1)).isNotEqualTo(bodies.get(2));
        });
    }

    @Test
    void appliesLiveChangesToIngressesAndEndpoints() {
        String ns = "live";
        api.apply(namespace(ns));
        serviceFor(ns, "first", a);
        serviceFor(ns, "second", b);

        api.apply(ingress(ns, "live").className("ingress-gateway").rules(rule("live.test",
                path("Prefix", "/", serviceBackend("first", 80)))).build());
        awaitServed("live.test", "/", a.name());

        // Update: the rule now points at another Service.
        api.apply(ingress(ns, "live").className("ingress-gateway").rules(rule("live.test",
                path("Prefix", "/", serviceBackend("second", 80)))).build());
        awaitServed("live.test", "/", b.name());

        // Endpoint change: the Service's only endpoint moves to another backend.
        api.apply(endpointSlice(ns, "second", "second-1", "http", c.port(), true));
        awaitServed("live.test", "/", c.name());

        // Endpoint gone not ready: 503, never 404.
        api.apply(endpointSlice(ns, "second", "second-1", "http", c.port(), false));
        awaitStatus("live.test", "/", 503);

        api.delete(ingress(ns, "live").build());
        awaitStatus("live.test", "/", 404);
    }
}
