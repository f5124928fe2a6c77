package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.KeyFormat;
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
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the management port tells any pod that reaches it, with the shipped defaults: health statuses without details
 * (the probe groups still answer), no gateway routes, and the ingresses endpoint in summary (no upstream Service,
 * endpoint count, guard or Secret name). Host ownership rules bound from properties, end to end.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.host-ownership[0].namespaces=apps",
        "ingress-gateway.host-ownership[0].hosts=shop.example.com",
        "ingress-gateway.host-ownership[1].namespaces=*",
        "ingress-gateway.host-ownership[1].hosts=*"})
class ManagementDefaultsIT {

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
        Files.writeString(manifests.resolve("secret.yaml"), Serialization.asYaml(TestCertificates.secret("apps",
                "shop-cert", TestCertificates.issue("shop.example.com", KeyFormat.EC_PKCS8, "shop.example.com"))));
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
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: shop
                  creationTimestamp: "2024-02-01T00:00:00Z"
                spec:
                  ingressClassName: ingress-gateway
                  tls:
                    - hosts: [shop.example.com]
                      secretName: shop-cert
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
                ---
                # Older, in another namespace: without ownership rules it would take shop.example.com.
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: intruder
                  name: grab
                  creationTimestamp: "2024-01-01T00:00:00Z"
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
                                name: trap
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
    void healthShowsStatusesOnlyAndTheProbeGroupsStillAnswer() {
        for (String path : new String[] {"/actuator/health", "/actuator/health/readiness",
                "/actuator/health/liveness"}) {
            management.get().uri(path).exchange()
                    .expectStatus().isOk()
                    .expectBody()
                    .jsonPath("$.status").isEqualTo("UP")
                    .jsonPath("$.components").doesNotExist()
                    .jsonPath("$.details").doesNotExist();
        }
    }

    @Test
    void gatewayRoutesAreNotExposed() {
        management.get().uri("/actuator/gateway/routes").exchange().expectStatus().isNotFound();
    }

    @Test
    void ingressesShowWhatIsServedAndWhyButNoServiceEndpointOrSecret() {
        management.get().uri("/actuator/ingresses").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.detail").isEqualTo("summary")
                .jsonPath("$.ingresses[?(@.name == 'shop')].served").isEqualTo(true)
                .jsonPath("$.ingresses[?(@.name == 'shop')].routes[0].host").isEqualTo("shop.example.com")
                .jsonPath("$.ingresses[?(@.name == 'shop')].routes[0].path").isEqualTo("/api")
                .jsonPath("$.ingresses[?(@.name == 'shop')].tls[0].host").isEqualTo("shop.example.com")
                .jsonPath("$.ingresses[?(@.name == 'shop')].tls[0].certificate").isEqualTo("Secret");
        String body = management.get().uri("/actuator/ingresses").accept(MediaType.APPLICATION_JSON).exchange()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).doesNotContain("apps/web", "readyEndpoints", "upstream", "guard", "shop-cert",
                "\"secret\"", "notAfter", "subject");
    }

    @Test
    void aHostClaimedFromTheWrongNamespaceIsNotServedAndSaysWhy() {
        management.get().uri("/actuator/ingresses/intruder/grab").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.routes.length()").isEqualTo(0)
                .jsonPath("$.diagnostics[0].field").isEqualTo("spec.rules[0].host")
                .jsonPath("$.diagnostics[0].message").value(message -> assertThat((String) message)
                        .contains("shop.example.com", "namespace intruder", "ingress-gateway.host-ownership"));
        management.get().uri("/actuator/ingresses/apps/shop").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.routes.length()").isEqualTo(1)
                .jsonPath("$.diagnostics.length()").isEqualTo(0);
    }
}
