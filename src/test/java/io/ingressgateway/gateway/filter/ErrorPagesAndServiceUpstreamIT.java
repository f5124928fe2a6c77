package io.ingressgateway.gateway.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.NettyLeakLog;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code default-backend}, {@code custom-http-errors} and {@code service-upstream} through the real gateway, with real
 * backends on loopback, as ingress-nginx serves them (its annotations reference, docs/user-guide/custom-errors.md and
 * the e2e tests default_backend.go, customhttperrors.go, serviceupstream.go):
 * <ul>
 *   <li>a rule whose Service has no endpoint is served by the {@code default-backend} Service, path unchanged, with
 *       {@code X-Code: 503} and the other error headers, and its answer reaches the client as it is (200 here, as in
 *       ingress-nginx's e2e test);</li>
 *   <li>an intercepted status from the upstream is replaced by the error backend's page for it: fetched at {@code /}
 *       with the client's method and query, the error headers, and nothing of the upstream's response reaching the
 *       client; statuses not listed, and Ingresses without any error backend, pass through unchanged;</li>
 *   <li>{@code service-upstream} sends to the Service's ClusterIP and port (127.0.0.1 and the vip backend's port here)
 *       while another Ingress on the same Service still goes to its endpoints (the pods backend).</li>
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "spring.netty.leak-detection=paranoid"})
class ErrorPagesAndServiceUpstreamIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";

    @TempDir
    static Path manifests;

    /** The application: 200 with its name, or the error its path names, with a cookie that must never leak. */
    static final WireMockServer app = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    /** The error pages: one per X-Code at /, and a plain 200 page for anything else. */
    static final WireMockServer errors = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    /** What a Service's ClusterIP leads to, and what its endpoints are. */
    static final Backend vip = new Backend("vip");
    static final Backend pods = new Backend("pods");
    /** The dropped upstream bodies and the relayed pages are buffers: every one must be released. */
    static final NettyLeakLog leaks = NettyLeakLog.paranoid();

    static {
        app.start();
        app.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("app")));
        upstreamError("/missing", 404);
        upstreamError("/gone", 410);
        upstreamError("/unavailable", 503);
        upstreamError("/forbidden", 403);
        errors.start();
        errors.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody("errors default page")));
        errors.stubFor(any(urlPathEqualTo("/")).withHeader("X-Code", equalTo("404")).willReturn(aResponse()
                .withStatus(404).withHeader("Content-Type", "application/json").withHeader("X-Page", "404")
                .withBody("{\"page\":\"custom 404\"}")));
        errors.stubFor(any(urlPathEqualTo("/")).withHeader("X-Code", equalTo("503")).willReturn(aResponse()
                .withStatus(503).withHeader("Content-Type", "text/html").withBody("<h1>custom 503</h1>")));
    }

    static void upstreamError(String path, int status) {
        app.stubFor(any(urlPathMatching(path + "(/.*)?")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "text/plain").withHeader("Set-Cookie", "upstream=secret")
                .withHeader("X-Upstream-Only", "yes").withBody("upstream " + status + " body")));
    }

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
        app.stop();
        errors.stop();
        vip.close();
        pods.close();
        leaks.close();
    }

    @BeforeEach
    void awaitServedAndReset() {
        leaks.attach();
        leaks.startClean();
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "errors.test").status() == 200
                && get("/", "pods.test").status() == 200);
        app.resetRequests();
        errors.resetRequests();
        vip.reset();
        pods.reset();
    }

    @AfterEach
    void noBufferLeaked() {
        NettyLeakLog.collectAndReport();
        assertThat(leaks.listening()).as("Netty leak detection PARANOID, reports caught").isTrue();
        assertThat(leaks.reports()).as("Netty leak reports").isEmpty();
    }

    // --- custom-http-errors ---

    @Test
    void anInterceptedStatusIsAnsweredWithTheErrorBackendsPageAndItsHeaders() throws IOException {
        Response response = send("GET /missing/item%20one?q=1&r=2 HTTP/1.1\r\nHost: errors.test\r\n"
                + "Accept: application/json\r\nX-Request-ID: req-123\r\n\r\n");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"page\":\"custom 404\"}");
        assertThat(response.header("Content-Type")).isEqualTo("application/json");
        assertThat(response.header("X-Page")).isEqualTo("404");
        // Nothing of the upstream's response reaches the client.
        assertThat(response.header("Set-Cookie")).isNull();
        assertThat(response.header("X-Upstream-Only")).isNull();
        assertThat(response.body()).doesNotContain("upstream");

        assertThat(requests(app)).singleElement().satisfies(request ->
                assertThat(request.getUrl()).isEqualTo("/missing/item%20one?q=1&r=2"));
        assertThat(requests(errors)).singleElement().satisfies(request -> {
            assertThat(request.getMethod().getName()).isEqualTo("GET");
            assertThat(request.getUrl()).isEqualTo("/?q=1&r=2");
            assertThat(request.getHeader("Host")).isEqualTo("errors.test");
            assertThat(request.getHeader("X-Code")).isEqualTo("404");
            assertThat(request.getHeader("X-Format")).isEqualTo("application/json");
            assertThat(request.getHeader("X-Original-URI")).isEqualTo("/missing/item%20one?q=1&r=2");
            assertThat(request.getHeader("X-Namespace")).isEqualTo("apps");
            assertThat(request.getHeader("X-Ingress-Name")).isEqualTo("errors-test");
            assertThat(request.getHeader("X-Service-Name")).isEqualTo("app");
            assertThat(request.getHeader("X-Service-Port")).isEqualTo("80");
            assertThat(request.getHeader("X-Request-ID")).isEqualTo("req-123");
            assertThat(request.getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
        });
    }

    @Test
    void theErrorPageRequestKeepsTheMethodButNotTheBody() throws IOException {
        Response response = send("POST /unavailable HTTP/1.1\r\nHost: errors.test\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 5\r\n\r\nhello");

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("<h1>custom 503</h1>");
        assertThat(response.header("Content-Type")).isEqualTo("text/html");
        assertThat(requests(app)).singleElement().satisfies(request ->
                assertThat(request.getBodyAsString()).isEqualTo("hello"));
        assertThat(requests(errors)).singleElement().satisfies(request -> {
            assertThat(request.getMethod().getName()).isEqualTo("POST");
            assertThat(request.getUrl()).isEqualTo("/");
            assertThat(request.getHeader("X-Code")).isEqualTo("503");
            assertThat(request.getHeader("X-Original-URI")).isEqualTo("/unavailable");
            assertThat(request.containsHeader("X-Format")).isFalse(); // the client sent no Accept
            assertThat(request.getBodyAsString()).isEmpty();
        });
    }

    @Test
    void theErrorBackendsStatusIsWhatTheClientGets() throws IOException {
        // ingress-nginx: "NGINX does not change the response from the custom default backend"; this one has no page
        // for 410 and answers 200, and so does the client's response.
        Response response = get("/gone", "errors.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("errors default page");
        assertThat(requests(errors)).singleElement().satisfies(request ->
                assertThat(request.getHeader("X-Code")).isEqualTo("410"));
    }

    @Test
    void statusesNotListedPassThroughUnchanged() throws IOException {
        Response replaced = get("/missing", "errors.test");
        Response forbidden = get("/forbidden", "errors.test");
        Response ok = get("/fine", "errors.test");

        assertThat(replaced.body()).isEqualTo("{\"page\":\"custom 404\"}");

        assertThat(forbidden.status()).isEqualTo(403);
        assertThat(forbidden.body()).isEqualTo("upstream 403 body");
        assertThat(forbidden.header("Set-Cookie")).isEqualTo("upstream=secret");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("app");
        assertThat(requests(errors)).singleElement().satisfies(request ->
                assertThat(request.getHeader("X-Code")).isEqualTo("404"));
    }

    @Test
    void withoutAnyErrorBackendTheUpstreamsErrorPassesThrough() throws IOException {
        // custom-http-errors alone, and the gateway has no default backend: nothing to take a page from.
        Response response = get("/missing", "no-error-backend.test");
        Response withOne = get("/missing", "errors.test");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("upstream 404 body");
        assertThat(response.header("Set-Cookie")).isEqualTo("upstream=secret");
        assertThat(withOne.body()).isEqualTo("{\"page\":\"custom 404\"}");
        assertThat(requests(errors)).singleElement().satisfies(request ->
                assertThat(request.getHeader("X-Ingress-Name")).isEqualTo("errors-test"));
    }

    // --- default-backend ---

    @Test
    void aServiceWithoutEndpointsIsServedByTheDefaultBackend() throws IOException {
        Response response = send("GET /alma/armud?x=1 HTTP/1.1\r\nHost: fallback.test\r\nAccept: text/html\r\n"
                + "X-Request-ID: something-unique\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("errors default page");
        assertThat(requests(errors)).singleElement().satisfies(request -> {
            assertThat(request.getUrl()).isEqualTo("/alma/armud?x=1");
            assertThat(request.getHeader("Host")).isEqualTo("fallback.test");
            assertThat(request.getHeader("X-Code")).isEqualTo("503");
            assertThat(request.getHeader("X-Format")).isEqualTo("text/html");
            assertThat(request.getHeader("X-Namespace")).isEqualTo("apps");
            assertThat(request.getHeader("X-Ingress-Name")).isEqualTo("fallback");
            assertThat(request.getHeader("X-Service-Name")).isEqualTo("empty");
            assertThat(request.getHeader("X-Service-Port")).isEqualTo("80");
            assertThat(request.getHeader("X-Request-ID")).isEqualTo("something-unique");
        });
    }

    @Test
    void anUnknownDefaultBackendIsAWarningAndTheGatewayAnswers503() throws IOException {
        Response response = get("/", "unknown-backend.test");

        assertThat(response.status()).isEqualTo(503);
        assertThat(requests(errors)).isEmpty();
        String report = managementGet("/actuator/ingresses/apps/unknown-backend").body();
        assertThat(report).contains(NGINX + "default-backend").contains("apps/nope does not exist");
    }

    // --- service-upstream ---

    @Test
    void serviceUpstreamGoesToTheClusterIpWhileAnotherIngressOnTheServiceUsesItsEndpoints() throws IOException {
        Response viaClusterIp = get("/a?b=c", "vip.test");
        Response viaEndpoints = get("/a?b=c", "pods.test");

        assertThat(viaClusterIp.status()).isEqualTo(200);
        assertThat(viaClusterIp.body()).isEqualTo("vip");
        assertThat(vip.requests()).singleElement().satisfies(request -> {
            assertThat(request.getUrl()).isEqualTo("/a?b=c");
            assertThat(request.getHeader("Host")).isEqualTo("vip.test");
        });
        assertThat(viaEndpoints.status()).isEqualTo(200);
        assertThat(viaEndpoints.body()).isEqualTo("pods");
        assertThat(pods.requests()).singleElement().satisfies(request ->
                assertThat(request.getHeader("Host")).isEqualTo("pods.test"));
    }

    // --- helpers ---

    private static List<LoggedRequest> requests(WireMockServer server) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest()).toList();
    }

    private Response get(String target, String host) throws IOException {
        return send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    private Response send(String request) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send(request);
        }
    }

    private Response managementGet(String path) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(managementPort, "unused", TIMEOUT)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
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
        service(yaml, "app", null, 80, app.port());
        // Two ports: the first is the one a default-backend annotation takes, as ingress-nginx does.
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: errors
                spec:
                  ports:
                    - name: http
                      port: 80
                    - name: metrics
                      port: 9090
                """);
        slice(yaml, "errors", errors.port());
        service(yaml, "empty", null, 80, 0);
        // The Service's ClusterIP and port lead to the vip backend; its endpoints are the pods backend.
        service(yaml, "web", "127.0.0.1", vip.port(), pods.port());
        ingress(yaml, "errors-test", "errors.test", "app", 80, Map.of(NGINX + "default-backend", "errors",
                NGINX + "custom-http-errors", "404,410,503"));
        ingress(yaml, "no-error-backend", "no-error-backend.test", "app", 80, Map.of(
                NGINX + "custom-http-errors", "404"));
        ingress(yaml, "fallback", "fallback.test", "empty", 80, Map.of(NGINX + "default-backend", "errors"));
        ingress(yaml, "unknown-backend", "unknown-backend.test", "empty", 80, Map.of(NGINX + "default-backend",
                "nope"));
        ingress(yaml, "vip", "vip.test", "web", vip.port(), Map.of(NGINX + "service-upstream", "true"));
        ingress(yaml, "pods", "pods.test", "web", vip.port(), Map.of());
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Service with one port named http, a ClusterIP when given, and one ready endpoint unless 0. */
    static void service(StringBuilder yaml, String name, String clusterIp, int port, int endpointPort) {
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %s
                spec:
                %s  ports:
                    - name: http
                      port: %d
                """.formatted(name, clusterIp == null ? "" : "  clusterIP: " + clusterIp + "\n", port));
        if (endpointPort != 0) {
            slice(yaml, name, endpointPort);
        }
    }

    static void slice(StringBuilder yaml, String service, int port) {
        yaml.append("""
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
                """.formatted(service, service, port));
    }

    static void ingress(StringBuilder yaml, String name, String host, String service, int servicePort,
                                Map<String, String> annotations) {
        StringBuilder annotationLines = new StringBuilder(annotations.isEmpty() ? " {}" : "");
        annotations.forEach((key, value) -> annotationLines.append("\n    ").append(key).append(": \"")
                .append(value).append('"'));
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
                                  number: %d
                """.formatted(name, annotationLines, host, service, servicePort));
    }
}
