package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The operator's view over HTTP on the management port, with the real pipeline serving a directory of manifests:
 * the ingresses endpoint, readiness on the route model, and the model gauges.
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
}
