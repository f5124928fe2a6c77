package io.ingressgateway.gateway.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code custom-http-errors} without a {@code default-backend} annotation: the pages come from the gateway's own
 * default backend ({@code ingress-gateway.default-backend-service}), as ingress-nginx takes them from its global
 * default backend; and the gateway's own 503 (a Service without endpoints) is replaced like an upstream's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.default-backend-service=apps/errors:80"})
class ErrorPagesFromTheGatewayDefaultBackendIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";

    @TempDir
    static Path manifests;

    static final WireMockServer app = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final WireMockServer errors = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    static {
        app.start();
        app.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(404).withBody("upstream 404 body")));
        errors.start();
        errors.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(418)
                .withHeader("Content-Type", "text/plain").withBody("the gateway's error page")));
    }

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                """);
        ErrorPagesAndServiceUpstreamIT.service(yaml, "app", null, 80, app.port());
        ErrorPagesAndServiceUpstreamIT.service(yaml, "errors", null, 80, errors.port());
        ErrorPagesAndServiceUpstreamIT.service(yaml, "empty", null, 80, 0);
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "app", "app.test", "app", 80,
                Map.of(NGINX + "custom-http-errors", "404"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "empty", "empty.test", "empty", 80,
                Map.of(NGINX + "custom-http-errors", "503"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "plain", "plain.test", "app", 80, Map.of());
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackends() {
        app.stop();
        errors.stop();
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "plain.test").body()
                .equals("upstream 404 body"));
        app.resetRequests();
        errors.resetRequests();
    }

    @Test
    void anUpstreamsInterceptedErrorIsReplacedByTheGatewaysDefaultBackendsPage() throws IOException {
        Response response = get("/x?y=1", "app.test");

        assertThat(response.status()).isEqualTo(418); // the error backend's answer, as it is
        assertThat(response.body()).isEqualTo("the gateway's error page");
        assertThat(requests(errors)).singleElement().satisfies(request -> {
            assertThat(request.getUrl()).isEqualTo("/?y=1");
            assertThat(request.getHeader("X-Code")).isEqualTo("404");
            assertThat(request.getHeader("X-Original-URI")).isEqualTo("/x?y=1");
            assertThat(request.getHeader("X-Ingress-Name")).isEqualTo("app");
            assertThat(request.getHeader("X-Service-Name")).isEqualTo("app");
        });
    }

    @Test
    void theGatewaysOwn503IsReplacedToo() throws IOException {
        Response response = get("/", "empty.test");

        assertThat(response.status()).isEqualTo(418);
        assertThat(response.body()).isEqualTo("the gateway's error page");
        assertThat(requests(app)).isEmpty();
        assertThat(requests(errors)).singleElement().satisfies(request -> {
            assertThat(request.getHeader("X-Code")).isEqualTo("503");
            assertThat(request.getHeader("X-Service-Name")).isEqualTo("empty");
        });
    }

    @Test
    void anIngressWithoutTheAnnotationKeepsItsUpstreamsError() throws IOException {
        Response plain = get("/x", "plain.test");
        Response annotated = get("/x", "app.test");

        assertThat(plain.status()).isEqualTo(404);
        assertThat(plain.body()).isEqualTo("upstream 404 body");
        assertThat(annotated.status()).isEqualTo(418);
        assertThat(requests(errors)).singleElement().satisfies(request ->
                assertThat(request.getHeader("X-Ingress-Name")).isEqualTo("app"));
    }

    private static List<LoggedRequest> requests(WireMockServer server) {
        return server.getAllServeEvents().stream().map(e -> e.getRequest()).toList();
    }

    private Response get(String target, String host) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        }
    }
}
