package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.Backend;
import io.ingressgateway.support.PlainHttpConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * An Ingress written for ingress-nginx with annotations the gateway does not serve (a configuration snippet, an
 * invented key, a key of ours that nothing reads) keeps serving, unchanged by them, and each such key is a warning on
 * the Ingress in {@code /actuator/ingresses}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ops.ingresses-detail=full"})
class UnservedAnnotationsIT {

    @TempDir
    static Path manifests;

    static Backend backend;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @BeforeAll
    static void writeManifests() throws IOException {
        backend = new Backend("legacy");
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
                      targetPort: %1$d
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
                    port: %1$d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: legacy
                  annotations:
                    nginx.ingress.kubernetes.io/configuration-snippet: |
                      more_set_headers "X-Snippet: evaluated";
                      proxy_set_header X-Snippet-Upstream evaluated;
                    nginx.ingress.kubernetes.io/rate-limit: "10"
                    ingress-gateway.io/bogus: "x"
                    nginx.ingress.kubernetes.io/proxy-read-timeout: "30"
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: legacy.example.com
                      http:
                        paths:
                          - path: /app
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """.formatted(backend.port()));
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Test
    void theIngressKeepsServingAndEachUnservedKeyIsAWarningOnIt() throws IOException {
        WebTestClient management = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        await().atMost(Duration.ofSeconds(30)).until(() -> management.get().uri("/actuator/health/readiness")
                .exchange().returnResult(String.class).getStatus().is2xxSuccessful());

        PlainHttpConnection.Response response;
        try (PlainHttpConnection client = new PlainHttpConnection(port, "legacy.example.com", Duration.ofSeconds(30))) {
            response = client.send("GET /app/x?q=1 HTTP/1.1\r\nHost: legacy.example.com\r\n\r\n");
        }
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("legacy");
        // The snippet was never evaluated: neither the client nor the upstream got its headers.
        assertThat(response.header("X-Snippet")).isNull();
        assertThat(backend.lastRequest().getUrl()).isEqualTo("/app/x?q=1");
        assertThat(backend.lastRequest().containsHeader("X-Snippet-Upstream")).isFalse();

        management.get().uri("/actuator/ingresses/apps/legacy").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.routes.length()").isEqualTo(1)
                .jsonPath("$.diagnostics.length()").isEqualTo(3)
                .jsonPath("$.diagnostics[*].severity").value(severities ->
                        assertThat(severities.toString()).doesNotContain("ERROR"))
                .jsonPath("$.diagnostics[*].message").value(messages -> assertThat(String.join("\n",
                                ((java.util.List<?>) messages).stream().map(String::valueOf).toList()))
                        .contains("nginx.ingress.kubernetes.io/configuration-snippet (refused for security):"
                                + " a snippet of nginx configuration is never evaluated")
                        .contains("nginx.ingress.kubernetes.io/rate-limit (unknown): not an annotation of"
                                + " ingress-nginx controller-v1.15.1, which ignores it too")
                        .contains("ingress-gateway.io/bogus (unknown): no annotation of the gateway has this name")
                        .doesNotContain("proxy-read-timeout"));
    }
}
