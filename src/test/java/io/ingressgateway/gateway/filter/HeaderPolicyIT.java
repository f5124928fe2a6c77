package io.ingressgateway.gateway.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.gateway.filter.CorsIT.Reply;
import io.netty.handler.codec.http.HttpMethod;
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
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The header policy annotations through the real gateway: the upstream receives the request headers as the Ingress
 * sets, adds and removes them; the client gets the response headers so changed, the security preset's headers where
 * the upstream sent none, and the same on the answers the gateway writes itself for the route; a bad line is a
 * warning and only it is ignored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ops.ingresses-detail=full"})
class HeaderPolicyIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String OURS = "ingress-gateway.io/";

    @TempDir
    static Path manifests;

    static final WireMockServer app = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    static {
        app.start();
        app.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("app")
                .withHeader("X-Powered-By", "PHP/5.6")
                .withHeader("X-Frame-Options", "DENY")
                .withHeader("Content-Security-Policy", "default-src *")
                .withHeader("Cache-Control", "max-age=60")));
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

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
        ErrorPagesAndServiceUpstreamIT.service(yaml, "empty", null, 80, 0);
        // Values in YAML double quotes: \\n is a line break of the annotation's value.
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "headers", "headers.test", "app", 80, Map.of(
                OURS + "request-headers", "set X-Env: prod\\nadd X-Tag: a\\nadd X-Tag: b\\nremove X-Debug"
                        + "\\nset X-Client: $remote_addr",
                OURS + "response-headers", "set X-Served-By: gateway\\nremove X-Powered-By"
                        + "\\nadd Cache-Control: no-transform",
                OURS + "security-headers", "standard",
                OURS + "content-security-policy", "default-src 'self'"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "strict", "strict.test", "empty", 80, Map.of(
                OURS + "security-headers", "strict",
                OURS + "response-headers", "set X-Route: strict"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "bad", "bad.test", "app", 80, Map.of(
                OURS + "response-headers", "set Content-Length: 5\\nset X-Ok: yes",
                OURS + "request-headers", "set Host: evil.test",
                OURS + "security-headers", "paranoid"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "plain", "plain.test", "app", 80, Map.of());
        ErrorPagesAndServiceUpstreamIT.service(yaml, "down", null, 80, closedPort());
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "down", "down.test", "down", 80, Map.of(
                OURS + "security-headers", "standard"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        app.stop();
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> send("bad.test", Map.of()).status() == 200);
        app.resetRequests();
    }

    @Test
    void theUpstreamReceivesTheRequestHeadersAsTheIngressSays() {
        send("headers.test", Map.of("X-Env", "dev", "X-Debug", "1", "X-Kept", "yes"));

        assertThat(requests()).singleElement().satisfies(request -> {
            assertThat(request.getHeaders().getHeader("X-Env").values()).containsExactly("prod");
            assertThat(request.getHeaders().getHeader("X-Tag").values()).containsExactly("a", "b");
            assertThat(request.containsHeader("X-Debug")).isFalse();
            assertThat(request.getHeader("X-Kept")).isEqualTo("yes");
            // Never interpreted: no nginx variable is expanded.
            assertThat(request.getHeader("X-Client")).isEqualTo("$remote_addr");
            assertThat(request.getHeader("Host")).isEqualTo("headers.test");
        });
    }

    @Test
    void theClientGetsTheResponseHeadersAsTheIngressSaysAndThePresetWhereTheUpstreamSentNone() {
        Reply reply = send("headers.test", Map.of());

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("app");
        assertThat(reply.all("X-Served-By")).containsExactly("gateway");
        assertThat(reply.headers().contains("X-Powered-By")).isFalse();
        assertThat(reply.all("Cache-Control")).containsExactly("max-age=60", "no-transform");
        // The preset fills in what the upstream lacks and leaves what it sent.
        assertThat(reply.all("X-Frame-Options")).containsExactly("DENY");
        assertThat(reply.all("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(reply.all("Referrer-Policy")).containsExactly("strict-origin-when-cross-origin");
        // The Ingress's CSP replaces the upstream's.
        assertThat(reply.all("Content-Security-Policy")).containsExactly("default-src 'self'");
    }

    @Test
    void anAnswerTheGatewayWritesForTheRouteCarriesThemToo() {
        Reply reply = send("strict.test", Map.of());

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.all("X-Frame-Options")).containsExactly("DENY");
        assertThat(reply.all("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(reply.all("Referrer-Policy")).containsExactly("no-referrer");
        assertThat(reply.all("X-Route")).containsExactly("strict");
    }

    @Test
    void theGateways502ForAnUpstreamRefusingConnectionsCarriesThemToo() {
        Reply reply = send("down.test", Map.of());

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.all("X-Frame-Options")).containsExactly("SAMEORIGIN");
        assertThat(reply.all("X-Content-Type-Options")).containsExactly("nosniff");
    }

    /** A loopback port nobody listens on: bound, then released. */
    private static int closedPort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anIngressWithoutThemIsUntouched() {
        Reply reply = send("plain.test", Map.of("X-Debug", "1"));

        assertThat(reply.all("X-Powered-By")).containsExactly("PHP/5.6");
        assertThat(reply.headers().contains("X-Content-Type-Options")).isFalse();
        assertThat(reply.all("Content-Security-Policy")).containsExactly("default-src *");
        assertThat(requests()).singleElement().satisfies(request ->
                assertThat(request.getHeader("X-Debug")).isEqualTo("1"));
    }

    @Test
    void badLinesAreWarningsOnlyTheyAreIgnoredAndTheIngressServes() {
        Reply reply = send("bad.test", Map.of());
        Reply other = send("headers.test", Map.of());

        assertThat(other.status()).isEqualTo(200);
        assertThat(other.all("X-Served-By")).containsExactly("gateway");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("app");
        assertThat(reply.all("X-Ok")).containsExactly("yes");
        assertThat(reply.headers().contains("X-Content-Type-Options")).isFalse();
        assertThat(requests()).anySatisfy(request ->
                assertThat(request.getHeader("Host")).isEqualTo("bad.test"));
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).responseTimeout(TIMEOUT).build()
                .get().uri("/actuator/ingresses/apps/bad").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.diagnostics.length()").isEqualTo(3)
                .jsonPath("$.diagnostics[*].message").value(messages -> assertThat(messages.toString())
                        .contains("Content-Length, which belongs to the connection")
                        .contains("Host, which belongs to the connection")
                        .contains("value 'paranoid' is not a preset"));
    }

    private Reply send(String host, Map<String, String> headers) {
        return CorsIT.send(port, HttpMethod.GET, host, "/page", headers);
    }

    private static List<LoggedRequest> requests() {
        return app.getAllServeEvents().stream().map(event -> event.getRequest()).toList();
    }
}
