package io.ingressgateway.gateway.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
import reactor.netty.http.client.HttpClient;

/**
 * The CORS annotations through the real gateway, as ingress-nginx's CORS location and its e2e tests behave: a
 * pre-flight whose origin is allowed is answered 204 by the gateway and never reaches the upstream; other responses
 * get the CORS headers in place of the upstream's own; an origin not allowed changes nothing (its pre-flight reaches
 * the upstream, as on an Ingress without {@code enable-cors}); invalid values are warnings and the Ingress serves.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ops.ingresses-detail=full"})
class CorsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";
    static final String OURS = "ingress-gateway.io/";
    static final String UPSTREAMS_OWN_ORIGIN = "https://upstream-own.test";

    @TempDir
    static Path manifests;

    static final WireMockServer app = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    static {
        app.start();
        app.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("app")
                .withHeader("Access-Control-Allow-Origin", UPSTREAMS_OWN_ORIGIN)
                .withHeader("Access-Control-Max-Age", "5")));
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
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "any", "any.test", "app", 80,
                Map.of(NGINX + "enable-cors", "true"));
        Map<String, String> list = new LinkedHashMap<>();
        list.put(NGINX + "enable-cors", "true");
        list.put(NGINX + "cors-allow-origin", "https://app.example.com, https://*.example.org:8443");
        list.put(NGINX + "cors-allow-methods", "GET, POST");
        list.put(OURS + "cors-allow-headers", "X-Api-Key, Content-Type");
        list.put(NGINX + "cors-expose-headers", "X-Total-Count");
        list.put(NGINX + "cors-allow-credentials", "false");
        list.put(OURS + "cors-max-age", "600");
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "list", "list.test", "app", 80, list);
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "plain", "plain.test", "app", 80, Map.of());
        ErrorPagesAndServiceUpstreamIT.service(yaml, "empty", null, 80, 0);
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "empty", "empty.test", "empty", 80,
                Map.of(OURS + "enable-cors", "true"));
        ErrorPagesAndServiceUpstreamIT.ingress(yaml, "bad", "bad.test", "app", 80, Map.of(
                NGINX + "enable-cors", "true",
                NGINX + "cors-allow-origin", "example.com",
                NGINX + "cors-max-age", "soon"));
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
        await().atMost(TIMEOUT).ignoreExceptions()
                .until(() -> send(HttpMethod.GET, "bad.test", "/", Map.of()).status() == 200);
        app.resetRequests();
    }

    @Test
    void aPreflightOnAnAnyOriginRouteIsAnswered204WithIngressNginxsDefaultsAndNeverReachesTheUpstream() {
        Reply reply = send(HttpMethod.OPTIONS, "any.test", "/api/cart",
                Map.of("Origin", "https://shop.example.com", "Access-Control-Request-Method", "PUT"));

        assertThat(reply.status()).isEqualTo(204);
        assertThat(reply.all("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(reply.all("Access-Control-Allow-Credentials")).containsExactly("true");
        assertThat(reply.all("Access-Control-Allow-Methods"))
                .containsExactly("GET, PUT, POST, DELETE, PATCH, OPTIONS");
        assertThat(reply.all("Access-Control-Allow-Headers")).containsExactly("DNT,Keep-Alive,User-Agent,"
                + "X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization");
        assertThat(reply.all("Access-Control-Max-Age")).containsExactly("1728000");
        assertThat(reply.body()).isEmpty();
        assertThat(reply.headers().contains("Access-Control-Expose-Headers")).isFalse();
        // The 204 was written before any answer of the upstream could exist: had it been asked, it would show here.
        assertThat(requests()).isEmpty();
    }

    @Test
    void aNormalResponseGetsTheCorsHeadersInPlaceOfTheUpstreamsOwn() {
        Reply reply = send(HttpMethod.GET, "any.test", "/api/cart", Map.of("Origin", "https://shop.example.com"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("app");
        assertThat(reply.all("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(reply.all("Access-Control-Max-Age")).containsExactly("1728000");
        assertThat(reply.all("Access-Control-Allow-Credentials")).containsExactly("true");
        assertThat(requests()).singleElement().satisfies(request -> {
            assertThat(request.getUrl()).isEqualTo("/api/cart");
            assertThat(request.getHeader("Origin")).isEqualTo("https://shop.example.com");
        });
    }

    @Test
    void anAnswerTheGatewayWritesForTheRouteGetsThemTooSoABrowserCanReadIt() {
        Reply reply = send(HttpMethod.GET, "empty.test", "/", Map.of("Origin", "https://shop.example.com"));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.all("Access-Control-Allow-Origin")).containsExactly("*");
    }

    @Test
    void withAnyOriginEvenARequestWithoutOriginGetsThem() {
        Reply reply = send(HttpMethod.GET, "any.test", "/", Map.of());
        // ingress-nginx answers every OPTIONS request of such a location itself, Origin or not.
        Reply options = send(HttpMethod.OPTIONS, "any.test", "/", Map.of());

        assertThat(reply.all("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(options.status()).isEqualTo(204);
        assertThat(options.all("Access-Control-Allow-Origin")).containsExactly("*");
        assertThat(requests()).extracting(request -> request.getMethod().toString()).containsExactly("GET");
    }

    @Test
    void anAllowedOriginOfAListIsEchoedWithTheIngresssSettings() {
        Reply preflight = send(HttpMethod.OPTIONS, "list.test", "/items",
                Map.of("Origin", "https://app.example.com", "Access-Control-Request-Method", "POST"));
        Reply wildcard = send(HttpMethod.GET, "list.test", "/items",
                Map.of("Origin", "https://eu.example.org:8443"));

        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.all("Access-Control-Allow-Origin")).containsExactly("https://app.example.com");
        assertThat(preflight.all("Access-Control-Allow-Methods")).containsExactly("GET, POST");
        assertThat(preflight.all("Access-Control-Allow-Headers")).containsExactly("X-Api-Key, Content-Type");
        assertThat(preflight.all("Access-Control-Expose-Headers")).containsExactly("X-Total-Count");
        assertThat(preflight.all("Access-Control-Max-Age")).containsExactly("600");
        assertThat(preflight.headers().contains("Access-Control-Allow-Credentials")).isFalse();
        assertThat(preflight.all("Vary")).contains("Origin");

        assertThat(wildcard.status()).isEqualTo(200);
        assertThat(wildcard.all("Access-Control-Allow-Origin")).containsExactly("https://eu.example.org:8443");
        assertThat(wildcard.all("Vary")).contains("Origin");
        assertThat(requests()).extracting(LoggedRequest::getMethod).extracting(Object::toString)
                .containsExactly("GET");
    }

    @Test
    void anOriginNotAllowedChangesNothingAndItsPreflightReachesTheUpstream() {
        Reply deeper = send(HttpMethod.GET, "list.test", "/items", Map.of("Origin", "https://a.b.example.org:8443"));
        Reply preflight = send(HttpMethod.OPTIONS, "list.test", "/items",
                Map.of("Origin", "https://evil.test", "Access-Control-Request-Method", "POST"));

        assertThat(deeper.status()).isEqualTo(200);
        assertThat(deeper.all("Access-Control-Allow-Origin")).containsExactly(UPSTREAMS_OWN_ORIGIN);
        assertThat(deeper.all("Access-Control-Max-Age")).containsExactly("5");
        assertThat(deeper.all("Vary")).contains("Origin");
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.body()).isEqualTo("app");
        assertThat(preflight.all("Access-Control-Allow-Origin")).containsExactly(UPSTREAMS_OWN_ORIGIN);
        assertThat(requests()).extracting(request -> request.getMethod().toString()).containsExactly("GET", "OPTIONS");
    }

    @Test
    void withoutEnableCorsAPreflightReachesTheUpstream() {
        Reply reply = send(HttpMethod.OPTIONS, "plain.test", "/items",
                Map.of("Origin", "https://app.example.com", "Access-Control-Request-Method", "DELETE"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.all("Access-Control-Allow-Origin")).containsExactly(UPSTREAMS_OWN_ORIGIN);
        assertThat(requests()).singleElement().satisfies(request -> {
            assertThat(request.getMethod().toString()).isEqualTo("OPTIONS");
            assertThat(request.getHeader("Access-Control-Request-Method")).isEqualTo("DELETE");
        });
    }

    @Test
    void invalidValuesAreWarningsTheIngressServesAndAListWithoutAValidOriginAllowsNone() {
        Reply preflight = send(HttpMethod.OPTIONS, "bad.test", "/",
                Map.of("Origin", "https://example.com", "Access-Control-Request-Method", "GET"));
        Reply other = send(HttpMethod.OPTIONS, "any.test", "/",
                Map.of("Origin", "https://example.com", "Access-Control-Request-Method", "GET"));

        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.all("Access-Control-Allow-Origin")).containsExactly(UPSTREAMS_OWN_ORIGIN);
        assertThat(other.status()).isEqualTo(204);
        management().get().uri("/actuator/ingresses/apps/bad").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.diagnostics.length()").isEqualTo(2)
                .jsonPath("$.diagnostics[*].message").value(messages -> assertThat(messages.toString())
                        .contains("value 'example.com' names no valid origin")
                        .contains("value 'soon' is not a whole number"));
    }

    private WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(TIMEOUT).build();
    }

    private static List<LoggedRequest> requests() {
        // Newest first as WireMock keeps them; oldest first here.
        List<LoggedRequest> requests = new java.util.ArrayList<>(app.getAllServeEvents().stream()
                .map(event -> event.getRequest()).toList());
        java.util.Collections.reverse(requests);
        return requests;
    }

    record Reply(int status, HttpHeaders headers, String body) {

        List<String> all(String name) {
            return headers.getAll(name);
        }
    }

    Reply send(HttpMethod method, String host, String path, Map<String, String> headers) {
        return send(port, method, host, path, headers);
    }

    static Reply send(int port, HttpMethod method, String host, String path, Map<String, String> headers) {
        return HttpClient.create().baseUrl("http://127.0.0.1:" + port).responseTimeout(TIMEOUT)
                .headers(h -> {
                    h.set(HttpHeaderNames.HOST, host);
                    headers.forEach(h::set);
                })
                .request(method).uri(path)
                .responseSingle((response, content) -> content.asString().defaultIfEmpty("")
                        .map(body -> new Reply(response.status().code(), response.responseHeaders(), body)))
                .block(TIMEOUT);
    }
}
