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
 * The redirect and host annotations of ingress-nginx through the real gateway, with a real backend on loopback:
 * {@code permanent-redirect} and {@code temporal-redirect} (with their codes) are answered by the gateway with the
 * annotation's URL as Location and never reach the backend; {@code upstream-vhost} changes the Host the backend
 * receives and nothing else; {@code server-alias} serves the rule host's routes under the alias, except where the
 * alias is another Ingress's host; {@code from-to-www-redirect} answers the www (or bare) counterpart with 308. Each Ingress has its own host and one {@code /} Prefix path, to the app backend
 * except for the aliased one, which goes to the shop backend.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class RedirectAndHostAnnotationsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";

    @TempDir
    static Path manifests;

    static final Backend app = new Backend("app");
    static final Backend shop = new Backend("shop");

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
    static void stopBackend() {
        app.close();
        shop.close();
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "plain.test").status() == 200);
        app.reset();
        shop.reset();
    }

    // --- permanent-redirect, temporal-redirect ---

    @Test
    void permanentRedirectAnswers301WithTheUrlAsWrittenAndNeverReachesTheUpstream() throws IOException {
        Response response = get("/some/path?page=2", "permanent.test");

        assertThat(response.status()).isEqualTo(301);
        // ingress-nginx's `return 301 <url>`: neither the request's path nor its query is appended.
        assertThat(response.header("Location")).isEqualTo("https://new.example.com/landing");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void permanentRedirectCodeChoosesTheStatus() throws IOException {
        Response response = send("POST /form HTTP/1.1\r\nHost: permanent-308.test\r\nContent-Length: 3\r\n\r\nabc");

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.header("Location")).isEqualTo("https://new.example.com/");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void temporalRedirectAnswers302AndWinsOverAPermanentOne() throws IOException {
        Response response = get("/", "temporal.test");

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("http://maintenance.example.com/?from=temporal");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void temporalRedirectCodeChoosesTheStatus() throws IOException {
        Response response = get("/x", "temporal-307.test");

        assertThat(response.status()).isEqualTo(307);
        assertThat(response.header("Location")).isEqualTo("https://maintenance.example.com");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void anInvalidRedirectUrlIsAWarningAndTheIngressKeepsServing() throws IOException {
        Response response = get("/still/served", "bad-redirect.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Location")).isNull();
        assertThat(app.lastRequest().getUrl()).isEqualTo("/still/served");
        String report = managementGet("/actuator/ingresses/apps/bad-redirect").body();
        assertThat(report).contains(NGINX + "permanent-redirect").contains("ftp://files.example.com");
    }

    // --- upstream-vhost ---

    @Test
    void upstreamVhostIsTheHostTheUpstreamReceives() throws IOException {
        Response response = get("/api/items?id=7", "vhost.test");

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest received = app.lastRequest();
        assertThat(received.getHeader("Host")).isEqualTo("internal.example.com:8080");
        // The client's host still reaches the upstream, as ingress-nginx's $best_http_host does.
        assertThat(received.getHeader("X-Forwarded-Host")).isEqualTo("vhost.test");
        assertThat(received.getUrl()).isEqualTo("/api/items?id=7");
    }

    @Test
    void withoutUpstreamVhostTheUpstreamReceivesTheClientsHost() throws IOException {
        Response response = get("/api", "plain.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(app.lastRequest().getHeader("Host")).isEqualTo("plain.test");
        assertThat(app.lastRequest().getHeader("X-Forwarded-Host")).isEqualTo("plain.test");
    }

    @Test
    void anInvalidUpstreamVhostIsAWarningAndTheClientsHostIsSent() throws IOException {
        Response response = get("/", "bad-vhost.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(app.lastRequest().getHeader("Host")).isEqualTo("bad-vhost.test");
        String report = managementGet("/actuator/ingresses/apps/bad-vhost").body();
        assertThat(report).contains(NGINX + "upstream-vhost").contains("http://internal.example.com");
    }

    // --- server-alias ---

    @Test
    void anAliasIsServedWithTheRoutesOfTheRuleHost() throws IOException {
        Response response = get("/cart?item=3", "shop-alias.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("shop");
        LoggedRequest received = shop.lastRequest();
        // nginx passes the name the client used, alias or not.
        assertThat(received.getHeader("Host")).isEqualTo("shop-alias.test");
        assertThat(received.getUrl()).isEqualTo("/cart?item=3");
        assertThat(get("/cart", "shop.test").body()).isEqualTo("shop");
    }

    @Test
    void anAliasThatIsAnotherIngresssHostLeavesThatHostAlone() throws IOException {
        Response response = get("/cart", "plain.test");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("app");
        assertThat(shop.requests()).isEmpty();
        String report = managementGet("/actuator/ingresses/apps/shop").body();
        assertThat(report).contains(NGINX + "server-alias").contains("alias plain.test").contains("apps/plain")
                .contains("a rule host takes precedence");
    }

    // --- from-to-www-redirect ---

    @Test
    void theWwwHostRedirects308ToTheRuleHostKeepingPathAndQuery() throws IOException {
        Response response = get("/a/b%20c?x=1&y=2", "www.apex.test");

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.header("Location")).isEqualTo("http://apex.test/a/b%20c?x=1&y=2");
        assertThat(app.requests()).isEmpty();
        assertThat(get("/a", "apex.test").status()).isEqualTo(200);
        assertThat(app.lastRequest().getHeader("Host")).isEqualTo("apex.test");
    }

    @Test
    void aWwwRuleHostRedirectsTheBareHostToIt() throws IOException {
        Response response = get("/", "www-first.test");

        assertThat(response.status()).isEqualTo(308);
        assertThat(response.header("Location")).isEqualTo("http://www.www-first.test/");
        assertThat(app.requests()).isEmpty();
    }

    // --- helpers ---

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
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: app
                spec:
                  ports:
                    - name: http
                      port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: app-1
                  labels:
                    kubernetes.io/service-name: app
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(app.port()));
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: shop
                spec:
                  ports:
                    - name: http
                      port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: shop-1
                  labels:
                    kubernetes.io/service-name: shop
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(shop.port()));
        ingress(yaml, "plain", "plain.test", Map.of());
        ingress(yaml, "apex", "apex.test", Map.of(NGINX + "from-to-www-redirect", "true"));
        ingress(yaml, "www-first", "www.www-first.test", Map.of(NGINX + "from-to-www-redirect", "true"));
        ingress(yaml, "shop", "shop.test", Map.of(NGINX + "server-alias", "shop-alias.test, plain.test"), "shop");
        ingress(yaml, "permanent", "permanent.test", Map.of(NGINX + "permanent-redirect",
                "https://new.example.com/landing"));
        ingress(yaml, "permanent-308", "permanent-308.test", Map.of(NGINX + "permanent-redirect",
                "https://new.example.com/", NGINX + "permanent-redirect-code", "308"));
        ingress(yaml, "temporal", "temporal.test", Map.of(NGINX + "temporal-redirect",
                "http://maintenance.example.com/?from=temporal", NGINX + "permanent-redirect",
                "https://new.example.com/"));
        ingress(yaml, "temporal-307", "temporal-307.test", Map.of(NGINX + "temporal-redirect",
                "https://maintenance.example.com", NGINX + "temporal-redirect-code", "307"));
        ingress(yaml, "bad-redirect", "bad-redirect.test", Map.of(NGINX + "permanent-redirect",
                "ftp://files.example.com"));
        ingress(yaml, "vhost", "vhost.test", Map.of(NGINX + "upstream-vhost", "internal.example.com:8080"));
        ingress(yaml, "bad-vhost", "bad-vhost.test", Map.of(NGINX + "upstream-vhost", "http://internal.example.com"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An Ingress for {@code host} with one {@code /} Prefix path to the app, and the given annotations. */
    private static void ingress(StringBuilder yaml, String name, String host, Map<String, String> annotations) {
        ingress(yaml, name, host, annotations, "app");
    }

    private static void ingress(StringBuilder yaml, String name, String host, Map<String, String> annotations,
                                String service) {
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
                                  number: 80
                """.formatted(name, annotationLines, host, service));
    }
}
