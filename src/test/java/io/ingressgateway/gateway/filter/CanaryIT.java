package io.ingressgateway.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Canary Ingresses through the real gateway, with two real backends on loopback: every host has a main Ingress to
 * the {@code main} backend and (but one) a canary Ingress to the {@code canary} backend for the same path, with the
 * canary annotations the host's name says. Each test asserts which backend received each request (and what it
 * received) and what the client got, for ingress-nginx's rules: the header ({@code always} / {@code never} / its
 * value / its pattern), then the cookie, then the weight.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ops.ingresses-detail=full"})
class CanaryIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";
    static final String OURS = "ingress-gateway.io/";

    @TempDir
    static Path manifests;

    static final Backend main = new Backend("main");
    static final Backend canary = new Backend("canary");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        writeManifests();
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackends() {
        main.close();
        canary.close();
    }

    @BeforeEach
    void awaitServedAndReset() {
        // The last canary of the manifest attached (weight 100: every request goes to it) means all of them are.
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> "canary".equals(get("/", "weight-100.test").body()));
        main.reset();
        canary.reset();
    }

    // --- canary-by-header ---

    @Test
    void headerAlwaysGoesToTheCanaryWithPathQueryAndHostAsSent() throws IOException {
        Response response = get("/info/items?id=7", "header.test", "X-Canary: always");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("canary");
        assertThat(main.requests()).isEmpty();
        LoggedRequest received = canary.lastRequest();
        assertThat(received.getUrl()).isEqualTo("/info/items?id=7");
        assertThat(received.getHeader("Host")).isEqualTo("header.test");
        assertThat(received.getHeader("X-Canary")).isEqualTo("always");
    }

    @Test
    void headerNeverOrAnyOtherValueOrNoneStaysOnMain() throws IOException {
        assertThat(get("/info", "header.test", "X-Canary: never").body()).isEqualTo("main");
        assertThat(get("/info", "header.test", "X-Canary: badheadervalue").body()).isEqualTo("main");
        assertThat(get("/info", "header.test", "X-Canary: Always").body()).isEqualTo("main");
        assertThat(get("/info", "header.test").body()).isEqualTo("main");

        assertThat(canary.requests()).isEmpty();
        assertThat(main.requests()).hasSize(4);
        assertThat(main.lastRequest().getUrl()).isEqualTo("/info");
    }

    @Test
    void headerNameIsCaseInsensitive() throws IOException {
        assertThat(get("/", "header.test", "x-canary: always").body()).isEqualTo("canary");
    }

    @Test
    void headerValueOnlyTheValueGoesToTheCanaryNotAlways() throws IOException {
        assertThat(get("/", "header-value.test", "X-Canary: DoCanary").body()).isEqualTo("canary");
        assertThat(get("/", "header-value.test", "X-Canary: always").body()).isEqualTo("main");
        assertThat(get("/", "header-value.test", "X-Canary: never").body()).isEqualTo("main");
        assertThat(get("/", "header-value.test", "X-Canary: docanary").body()).isEqualTo("main");

        assertThat(canary.requests()).hasSize(1);
        assertThat(main.requests()).hasSize(3);
    }

    @Test
    void headerPatternMatchesWithRe2() throws IOException {
        assertThat(get("/", "header-pattern.test", "X-Canary: DoCanary").body()).isEqualTo("canary");
        assertThat(get("/", "header-pattern.test", "X-Canary: DoTestay").body()).isEqualTo("canary");
        assertThat(get("/", "header-pattern.test", "X-Canary: Docanary").body()).isEqualTo("main");
        assertThat(get("/", "header-pattern.test", "X-Canary: always").body()).isEqualTo("main");

        assertThat(canary.requests()).hasSize(2);
        assertThat(main.requests()).hasSize(2);
    }

    @Test
    void headerValueTakesPrecedenceOverThePattern() throws IOException {
        // The pattern would match "DoCananry"; the value, which wins, does not.
        assertThat(get("/", "value-and-pattern.test", "X-Canary: DoCananry").body()).isEqualTo("main");
        assertThat(get("/", "value-and-pattern.test", "X-Canary: DoCanary").body()).isEqualTo("canary");
    }

    @Test
    void aPatternRe2CannotCompileKeepsRequestsWithTheHeaderOnMainAndIsReported() throws IOException {
        // As ingress-nginx's e2e test: the header and an "always" cookie, yet the main backend.
        Response response = get("/", "bad-pattern.test", "X-Canary: DoCanary", "Cookie: canary_cookie=always");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("main");
        // Without the header, the cookie decides as usual.
        assertThat(get("/", "bad-pattern.test", "Cookie: canary_cookie=always").body()).isEqualTo("canary");
        String report = managementGet("/actuator/ingresses/apps/bad-pattern-canary").body();
        assertThat(report).contains(NGINX + "canary-by-header-pattern").contains("RE2");
    }

    // --- canary-by-cookie ---

    @Test
    void cookieAlwaysGoesToTheCanaryNeverAndOtherValuesStayOnMain() throws IOException {
        for (int i = 0; i < 10; i++) {
            assertThat(get("/", "cookie.test", "Cookie: other=1; canary_cookie=always").body()).isEqualTo("canary");
            assertThat(get("/", "cookie.test", "Cookie: canary_cookie=never").body()).isEqualTo("main");
            assertThat(get("/", "cookie.test", "Cookie: canary_cookie=badcookievalue").body()).isEqualTo("main");
        }
        assertThat(canary.requests()).hasSize(10);
        assertThat(main.requests()).hasSize(20);
    }

    // --- canary-weight ---

    @Test
    void weightZeroSendsEverythingToMain() throws IOException {
        for (int i = 0; i < 50; i++) {
            assertThat(get("/", "weight-0.test").body()).isEqualTo("main");
        }
        assertThat(canary.requests()).isEmpty();
    }

    @Test
    void weightHundredSendsEverythingToTheCanary() throws IOException {
        for (int i = 0; i < 50; i++) {
            assertThat(get("/", "weight-100.test").body()).isEqualTo("canary");
        }
        assertThat(main.requests()).isEmpty();
    }

    @Test
    void weightFiftySplitsTheRequests() throws IOException {
        int requests = 400;
        int toCanary = 0;
        for (int i = 0; i < requests; i++) {
            Response response = get("/", "weight-50.test");
            assertThat(response.status()).isEqualTo(200);
            toCanary += "canary".equals(response.body()) ? 1 : 0;
        }
        // Binomial(400, 0.5): mean 200, standard deviation 10; 120..280 is eight deviations either way.
        assertThat(toCanary).isBetween(120, 280);
        assertThat(canary.requests()).hasSize(toCanary);
        assertThat(main.requests()).hasSize(requests - toCanary);
    }

    @Test
    void weightEqualToTheTotalSendsEverythingToTheCanary() throws IOException {
        for (int i = 0; i < 30; i++) {
            assertThat(get("/", "weight-total.test").body()).isEqualTo("canary");
        }
    }

    // --- precedence: header, then cookie, then weight ---

    @Test
    void headerBeatsCookieBeatsWeight() throws IOException {
        // Weight 100 on this host: a request neither header nor cookie decides goes to the canary.
        assertThat(get("/", "precedence.test").body()).isEqualTo("canary");
        assertThat(get("/", "precedence.test", "Cookie: canary_cookie=never").body()).isEqualTo("main");
        assertThat(get("/", "precedence.test", "X-Canary: never", "Cookie: canary_cookie=always").body())
                .isEqualTo("main");
        assertThat(get("/", "precedence.test", "X-Canary: always", "Cookie: canary_cookie=never").body())
                .isEqualTo("canary");
        // A header value that decides nothing leaves it to the cookie.
        assertThat(get("/", "precedence.test", "X-Canary: maybe", "Cookie: canary_cookie=never").body())
                .isEqualTo("main");
    }

    // --- what a canary does not do ---

    @Test
    void aCanaryWithoutMainIngressServesNothing() throws IOException {
        Response response = get("/", "lonely.test", "X-Canary: always");

        assertThat(response.status()).isEqualTo(404);
        assertThat(canary.requests()).isEmpty();
        assertThat(managementGet("/actuator/ingresses/apps/lonely-canary").body())
                .contains("no main Ingress serves host lonely.test");
    }

    @Test
    void aCanaryRequestIsAdmittedToTheCanaryIngresssOwnGuard() throws IOException {
        assertThat(get("/", "header.test", "X-Canary: always").body()).isEqualTo("canary");

        String metrics = managementGet("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("ingress_gateway_upstream_inflight\\{[^}]*ingress=\"header-canary\""
                + "[^}]*service=\"canary\"");
    }

    @Test
    void theMainIngresssReportShowsItsRoutesCanary() throws IOException {
        String report = managementGet("/actuator/ingresses/apps/header").body();

        assertThat(report).contains("\"canary\":{\"ingress\":\"apps/header-canary\",\"upstream\":"
                + "\"apps/canary:http\",\"readyEndpoints\":1}");
        assertThat(managementGet("/actuator/ingresses/apps/header-canary").body()).doesNotContain("\"canary\":{");
    }

    // --- helpers ---

    private Response get(String target, String host, String... headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return send(request.append("\r\n").toString());
    }

    private Response send(String request) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send(request);
        }
    }

    private Response managementGet(String path) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(managementPort, "unused", TIMEOUT)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n"
                    + "Connection: close\r\n\r\n");
        }
    }

    private static void writeManifests() {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                """);
        service(yaml, "main", main.port());
        service(yaml, "canary", canary.port());
        pair(yaml, "header", Map.of(NGINX + "canary-by-header", "X-Canary"));
        pair(yaml, "header-value", Map.of(NGINX + "canary-by-header", "X-Canary",
                NGINX + "canary-by-header-value", "DoCanary"));
        pair(yaml, "header-pattern", Map.of(OURS + "canary-by-header", "X-Canary",
                OURS + "canary-by-header-pattern", "^Do[A-Z][a-z]+y$"));
        pair(yaml, "value-and-pattern", Map.of(NGINX + "canary-by-header", "X-Canary",
                NGINX + "canary-by-header-value", "DoCanary", NGINX + "canary-by-header-pattern", "^Do[A-Z][a-z]+y$"));
        pair(yaml, "bad-pattern", Map.of(NGINX + "canary-by-header", "X-Canary",
                NGINX + "canary-by-header-pattern", "[][**da?$&*", NGINX + "canary-by-cookie", "canary_cookie"));
        pair(yaml, "cookie", Map.of(NGINX + "canary-by-cookie", "canary_cookie"));
        pair(yaml, "weight-0", Map.of(NGINX + "canary-weight", "0"));
        pair(yaml, "weight-50", Map.of(NGINX + "canary-weight", "50"));
        pair(yaml, "weight-total", Map.of(NGINX + "canary-weight", "250", NGINX + "canary-weight-total", "250"));
        pair(yaml, "precedence", Map.of(NGINX + "canary-by-header", "X-Canary",
                NGINX + "canary-by-cookie", "canary_cookie", NGINX + "canary-weight", "100"));
        ingress(yaml, "lonely-canary", "lonely.test", Map.of(NGINX + "canary", "true",
                NGINX + "canary-by-header", "X-Canary"), "canary");
        pair(yaml, "weight-100", Map.of(OURS + "canary-weight", "100"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A main Ingress for {@code <name>.test} to the main backend, and its canary with the given annotations. */
    private static void pair(StringBuilder yaml, String name, Map<String, String> canaryAnnotations) {
        ingress(yaml, name, name + ".test", Map.of(), "main");
        Map<String, String> annotations = new LinkedHashMap<>(canaryAnnotations);
        annotations.put(NGINX + "canary", "true");
        ingress(yaml, name + "-canary", name + ".test", annotations, "canary");
    }

    private static void service(StringBuilder yaml, String name, int backendPort) {
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  ports:
                    - name: http
                      port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: %s-1
                  labels:
                    kubernetes.io/service-name: %s
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(name, name, name, backendPort));
    }

    /** An Ingress for {@code host} with one {@code /} Prefix path to {@code service}, and the given annotations. */
    private static void ingress(StringBuilder yaml, String name, String host, Map<String, String> annotations,
                                String service) {
        StringBuilder annotationLines = new StringBuilder(annotations.isEmpty() ? " {}" : "");
        annotations.forEach((key, value) -> annotationLines.append("\n    ").append(key).append(": '")
                .append(value.replace("'", "''")).append('\''));
        yaml.append("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                  annotations:%s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: "%s"
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: %s
                                port:
                                  name: http
                """.formatted(name, annotationLines, host, service));
    }
}
