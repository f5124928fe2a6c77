package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.PrometheusText;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The operator's view over HTTP on the management port, with the real pipeline serving a directory of manifests:
 * the ingresses endpoint, readiness on the route model, the model gauges and the controller metrics. Tests that change
 * the manifests add a file of their own and remove it before they end, waiting for the model to be back, so every
 * test starts from {@code cluster.yaml} alone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        // This test reads the full views; ManagementDefaultsIT checks what the defaults hide.
        "ingress-gateway.ops.ingresses-detail=full",
        "management.endpoint.health.show-details=always"})
class OpsEndpointsIT {

    @TempDir
    static Path manifests;

    @LocalManagementPort
    int managementPort;

    @LocalServerPort
    int serverPort;

    private WebTestClient management;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @BeforeAll
    static void writeManifests() throws IOException {
        Files.writeString(manifests.resolve("cluster.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: web
                spec:
                  ports:
                    - name: http
                      port: 80
                      targetPort: 8080
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: web-abc
                  labels:
                    kubernetes.io/service-name: web
                addressType: IPv4
                ports:
                  - name: http
                    port: 8080
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                  - addresses: ["127.0.0.2"]
                    conditions: {ready: true}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: shop
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: shop.example.com
                      http:
                        paths:
                          - path: /api
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                          - path: /missing
                            pathType: Exact
                            backend:
                              service:
                                name: no-such-service
                                port:
                                  number: 80
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: elsewhere
                spec:
                  ingressClassName: nginx
                  rules:
                    - host: other.example.com
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """);
    }

    @BeforeEach
    void awaitReadiness() {
        management = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        await().atMost(Duration.ofSeconds(30)).until(() -> management.get().uri("/actuator/health/readiness")
                .exchange().returnResult(String.class).getStatus().is2xxSuccessful());
    }

    @Test
    void listsEveryIngressWithItsRoutesAndDiagnostics() {
        management.get().uri("/actuator/ingresses").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.source").value(source -> assertThat((String) source).contains("manifests"))
                .jsonPath("$.synced").isEqualTo(true)
                .jsonPath("$.revision").value(revision -> assertThat(((Number) revision).longValue()).isPositive())
                .jsonPath("$.ingresses.length()").isEqualTo(2)
                .jsonPath("$.ingresses[?(@.name == 'elsewhere')].served").isEqualTo(false)
                .jsonPath("$.ingresses[?(@.name == 'elsewhere')].routes.length()").isEqualTo(0)
                .jsonPath("$.ingresses[?(@.name == 'shop')].served").isEqualTo(true)
                .jsonPath("$.ingresses[?(@.name == 'shop')].namespace").isEqualTo("apps");
    }

    @Test
    void showsOneIngressAndAnswers404ForAnUnknownOne() {
        management.get().uri("/actuator/ingresses/apps/shop").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.name").isEqualTo("shop")
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.reason").isNotEmpty()
                .jsonPath("$.routes[?(@.path == '/api')].host").isEqualTo("shop.example.com")
                .jsonPath("$.routes[?(@.path == '/api')].pathType").isEqualTo("PREFIX")
                .jsonPath("$.routes[?(@.path == '/api')].upstream").isEqualTo("apps/web:80")
                .jsonPath("$.routes[?(@.path == '/api')].readyEndpoints").isEqualTo(2)
                .jsonPath("$.routes[?(@.path == '/api')].id").isNotEmpty()
                .jsonPath("$.diagnostics[0].severity").isNotEmpty()
                .jsonPath("$.diagnostics[*].message").value(messages ->
                        assertThat(messages.toString()).contains("no-such-service"));

        management.get().uri("/actuator/ingresses/apps/nobody").exchange()
                .expectStatus().isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void readinessIncludesTheRouteModelAndLivenessDoesNot() {
        management.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.routeModel.status").isEqualTo("UP")
                .jsonPath("$.components.routeModel.details.servedIngresses").isEqualTo(1)
                .jsonPath("$.components.routeModel.details.routes").value(routes ->
                        assertThat(((Number) routes).intValue()).isPositive())
                .jsonPath("$.components.routeModel.details.revision").value(revision ->
                        assertThat(((Number) revision).longValue()).isPositive());

        management.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.routeModel").doesNotExist();
    }

    @Test
    void exportsRouteModelGaugesAndNoLeaderGaugeWithoutKubernetes() {
        String metrics = management.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();

        assertThat(metrics)
                .containsPattern("(?m)^ingress_gateway_ingresses\\{served=\"true\"} 1\\.0$")
                .containsPattern("(?m)^ingress_gateway_ingresses\\{served=\"false\"} 1\\.0$")
                .containsPattern("(?m)^ingress_gateway_routes [1-9]")
                .containsPattern("(?m)^ingress_gateway_upstreams [1-9]")
                .containsPattern("(?m)^ingress_gateway_diagnostics [1-9]")
                .doesNotContain("ingress_gateway_leader");
    }

    @Test
    void aChangedManifestMovesTheRevisionItsTimeTheAppliesAndTheTimers() throws IOException {
        PrometheusText before = scrape();
        double revision = before.value("ingress_gateway_model_revision", Map.of());
        double applies = before.value("ingress_gateway_model_applies_total", Map.of("outcome", "success"));
        double translations = before.value("ingress_gateway_model_translation_seconds_count", Map.of());
        double routeStages = before.value("ingress_gateway_model_stage_seconds_count",
                Map.of("stage", "gateway_routes"));
        long changedAt = Instant.now().getEpochSecond();
        assertThat(revision).isPositive();
        assertThat(before.value("ingress_gateway_ingresses_with_diagnostics", Map.of("severity", "warning")))
                .isEqualTo(1.0); // shop's path to a Service that does not exist
        assertThat(before.value("ingress_gateway_ingresses_with_diagnostics", Map.of("severity", "error")))
                .isZero();
        try {
            // A second served Ingress, itself with a warning (its one path leads to no Service).
            stage("added.yaml", ingress("added", "added.example.com", "no-such-service", null));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                PrometheusText after = scrape();
                assertThat(after.value("ingress_gateway_ingresses", Map.of("served", "true"))).isEqualTo(2.0);
                assertThat(after.value("ingress_gateway_ingresses_with_diagnostics", Map.of("severity", "warning")))
                        .isEqualTo(2.0);
                assertThat(after.value("ingress_gateway_model_revision", Map.of())).isGreaterThan(revision);
                assertThat(after.value("ingress_gateway_model_applies_total", Map.of("outcome", "success")))
                        .isGreaterThan(applies);
                assertThat(after.value("ingress_gateway_model_applies_total", Map.of("outcome", "failure")))
                        .isZero();
                assertThat(after.value("ingress_gateway_model_last_apply_successful", Map.of())).isEqualTo(1.0);
                assertThat(after.value("ingress_gateway_model_last_apply_successful_timestamp_seconds", Map.of()))
                        .isGreaterThanOrEqualTo(changedAt);
                assertThat(after.value("ingress_gateway_model_translation_seconds_count", Map.of()))
                        .isGreaterThan(translations);
                assertThat(after.value("ingress_gateway_model_stage_seconds_count",
                        Map.of("stage", "gateway_routes"))).isGreaterThan(routeStages);
                // A histogram: its +Inf bucket holds every translation.
                assertThat(after.value("ingress_gateway_model_translation_seconds_bucket", Map.of("le", "+Inf")))
                        .isEqualTo(after.value("ingress_gateway_model_translation_seconds_count", Map.of()));
            });
        } finally {
            unstage("added.yaml");
        }
    }

    @Test
    void certificateExpiryIsLabelledByHostAndSecretAndLeavesWithTheSecret() throws IOException {
        Issued issued = TestCertificates.issue("secure.example.com", KeyFormat.EC_PKCS8, "secure.example.com");
        String secret = """
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  namespace: apps
                  name: secure-tls
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(base64(issued.certificatePem()), base64(issued.keyPem()));
        String ingress = ingress("secure", "secure.example.com", "web", "secure-tls");
        Map<String, String> bySecret = Map.of("host", "secure.example.com", "namespace", "apps",
                "secret_name", "secure-tls", "secret", "apps/secure-tls");
        try {
            stage("secure.yaml", secret + ingress);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(scrape().value(EXPIRY, bySecret)).isEqualTo(
                            (double) issued.certificate().getNotAfter().toInstant().getEpochSecond()));

            // The Secret goes, the Ingress stays: the host falls back to the self-signed certificate.
            stage("secure.yaml", ingress);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                PrometheusText after = scrape();
                assertThat(after.find(EXPIRY, Map.of("secret_name", "secure-tls"))).isEmpty();
                assertThat(after.value(EXPIRY, Map.of("host", "secure.example.com", "namespace", "",
                        "secret_name", "", "secret", "self-signed"))).isNotNull();
            });
        } finally {
            unstage("secure.yaml");
        }
        // A host that leaves TLS loses its row (the gauges above read the model before this stage has run).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(scrape().find(EXPIRY, Map.of("host", "secure.example.com"))).isEmpty());
    }

    /**
     * Every series docs/controller-metrics.md lists is exported, once a request has made shop's upstream guard (guards
     * are made by the first request that needs one); rows the doc marks as needing an API server are absent here, as
     * {@link #exportsRouteModelGaugesAndNoLeaderGaugeWithoutKubernetes} shows for the leader gauge.
     */
    @Test
    void exportsEverySeriesTheControllerMetricsDocumentLists() throws IOException {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + serverPort)
                .responseTimeout(Duration.ofSeconds(30)).build()
                .get().uri("/api").header("Host", "shop.example.com").exchange()
                .expectStatus().is5xxServerError(); // its endpoints are addresses nothing answers on
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PrometheusText metrics = scrape();
            assertThat(metrics.value("ingress_gateway_upstream_circuit_state",
                    Map.of("namespace", "apps", "ingress", "shop", "service", "web", "state", "closed")))
                    .isEqualTo(1.0);
            assertThat(metrics.value("ingress_gateway_upstream_inflight_limit",
                    Map.of("namespace", "apps", "ingress", "shop", "service", "web"))).isPositive();
        });

        // As the document says: Resilience4j's own series do not describe the gateway's guards.
        for (String resilience4j : new String[] {"resilience4j_circuitbreaker_state",
                "resilience4j_bulkhead_available_concurrent_calls"}) {
            assertThat(scrape().find(resilience4j, Map.of()))
                    .noneMatch(sample -> sample.labels().values().stream().anyMatch(v -> v.contains("shop")));
        }

        List<String> documented = documentedSeries(Files.readString(Path.of("docs/controller-metrics.md")));
        assertThat(documented).contains("ingress_gateway_model_revision", "ingress_gateway_upstream_circuit_state",
                "ingress_gateway_certificate_expiry_seconds");
        PrometheusText metrics = scrape();
        assertThat(documented).allSatisfy(series -> assertThat(exported(metrics, series))
                .as("%s is in docs/controller-metrics.md but not in /actuator/prometheus", series).isTrue());
    }

    private static final String EXPIRY = "ingress_gateway_certificate_expiry_seconds";

    /** The first column's series of every table row, but those marked as needing an API server. */
    static List<String> documentedSeries(String doc) {
        List<String> series = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `(ingress_gateway_[a-z0-9_]+)`[^\n]*$").matcher(doc);
        while (row.find()) {
            if (!row.group().contains("API server only")) {
                series.add(row.group(1));
            }
        }
        return series;
    }

    /** A series is exported when a sample has its name, or its name and a histogram's or counter's suffix. */
    private static boolean exported(PrometheusText metrics, String series) {
        for (String suffix : new String[] {"", "_total", "_count", "_bucket"}) {
            if (!metrics.find(series + suffix, Map.of()).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(management.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody());
    }

    /** An Ingress of ours in apps with one rule to a Service, and TLS from a Secret when one is named. */
    private static String ingress(String name, String host, String service, String tlsSecret) {
        String tls = tlsSecret == null ? "" : """
                  tls:
                    - hosts: ["%s"]
                      secretName: %s
                """.formatted(host, tlsSecret);
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  ingressClassName: ingress-gateway
                %s  rules:
                    - host: %s
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: %s
                                port:
                                  number: 80
                """.formatted(name, tls, host, service);
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a manifest file whole (a move, so the source never reads half a file). */
    private static void stage(String file, String yaml) throws IOException {
        Path staged = Files.writeString(manifests.resolve(file + ".tmp"), yaml);
        Files.move(staged, manifests.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes a test's file and waits until the model is cluster.yaml's alone again. */
    private void unstage(String file) throws IOException {
        Files.deleteIfExists(manifests.resolve(file));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PrometheusText metrics = scrape();
            assertThat(metrics.value("ingress_gateway_ingresses", Map.of("served", "true"))).isEqualTo(1.0);
            assertThat(metrics.value("ingress_gateway_ingresses", Map.of("served", "false"))).isEqualTo(1.0);
        });
    }
}
