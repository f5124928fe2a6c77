package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Basic auth (issue 13 item 6) and custom-headers (item 9) through the real gateway, with a real backend on loopback,
 * as ingress-nginx documents them and its e2e tests (test/e2e/annotations/auth.go, customheaders.go) assert: 401 with
 * {@code WWW-Authenticate: Basic realm="..."} without or with wrong credentials; 200 with right ones for users hashed
 * with bcrypt, apr1 and {SHA} (an htpasswd file) or $5$ (an auth-map), the upstream receiving the request without the
 * Authorization header; 503 (never the upstream) where authentication cannot be set up; a malformed htpasswd line a
 * diagnostic while its Secret's other users and other Ingresses are served; a ConfigMap's headers on responses.
 * Every hash was made by other tools (see {@link PasswordHashesTest}); every password is "secret".
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class BasicAuthAndCustomHeadersIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";
    static final String HTPASSWD = String.join("\n",
            "alice:$2y$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a",
            "bob:$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0",
            "this line is broken",
            "carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
            "");

    @TempDir
    static Path manifests;

    static final Backend app = new Backend("app");

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
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "plain.test", null).status() == 200);
        app.reset();
    }

    // --- basic auth ---

    @Test
    void withoutCredentialsTheAnswerIs401WithTheRealmAndTheUpstreamIsNotReached() throws IOException {
        Response response = get("/private", "basic.test", null);

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Staff only\"");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void wrongCredentialsAre401() throws IOException {
        for (String credentials : new String[] {"alice:Secret", "alice:", "mallory:secret", "bob:secret2"}) {
            Response response = get("/private", "basic.test", basic(credentials));

            assertThat(response.status()).as(credentials).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Staff only\"");
        }
        Response notBasic = get("/private", "basic.test", "Bearer abc");
        assertThat(notBasic.status()).isEqualTo(401);
        assertThat(app.requests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"alice", "bob", "carol"})
    void eachHashFormatLetsItsUserInAndTheUpstreamGetsTheRequestWithoutTheAuthorizationHeader(String user)
            throws IOException {
        // Twice: the second is let through by the remembered check.
        for (int i = 0; i < 2; i++) {
            Response response = get("/private/items?page=2", "basic.test", basic(user + ":secret"));

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("app");
            LoggedRequest received = app.lastRequest();
            assertThat(received.getUrl()).isEqualTo("/private/items?page=2");
            assertThat(received.getHeader("Host")).isEqualTo("basic.test");
            // ingress-nginx: proxy_set_header Authorization "" in a location with basic auth.
            assertThat(received.containsHeader("Authorization")).isFalse();
        }
        assertThat(app.requests()).hasSize(2);
        // The hash was checked by the verifier pool (its threads start on first use), not on an event loop.
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(name -> name.startsWith("basic-auth-verify"));
    }

    @Test
    void anAuthMapHasAUserPerKey() throws IOException {
        assertThat(get("/", "map.test", basic("dave:secret")).status()).isEqualTo(200);
        assertThat(get("/", "map.test", basic("alice:secret")).status()).isEqualTo(401);
        assertThat(get("/", "map.test", null).header("WWW-Authenticate")).isEqualTo("Basic realm=\"\"");
    }

    @Test
    void aMalformedHtpasswdLineIsADiagnosticAndTheOtherUsersAndIngressesAreServed() throws IOException {
        assertThat(get("/", "basic.test", basic("carol:secret")).status()).isEqualTo(200);
        assertThat(get("/", "plain.test", null).status()).isEqualTo(200);

        String report = managementGet("/actuator/ingresses/apps/basic").body();
        assertThat(report).contains(NGINX + "auth-secret").contains("Secret apps/users: line 3 is not user:hash;"
                + " skipped");
    }

    /**
     * ingress-nginx answers 503 where authentication cannot be set up ("should return status code 503 when
     * authentication is configured with an invalid secret"): the route is denied, never served unauthenticated.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"missing", "cross-namespace", "digest", "no-secret"})
    void whereAuthenticationCannotBeSetUpTheRouteIsDenied503AndSaysWhy(String name) throws IOException {
        Response anonymous = get("/", name + ".test", null);
        Response withCredentials = get("/", name + ".test", basic("alice:secret"));

        assertThat(anonymous.status()).isEqualTo(503);
        assertThat(withCredentials.status()).isEqualTo(503);
        assertThat(app.requests()).isEmpty();
        String report = managementGet("/actuator/ingresses/apps/" + name).body();
        assertThat(report).contains("refused (503)");
        assertThat(get("/", "plain.test", null).status()).isEqualTo(200);
    }

    // --- custom-headers ---

    @Test
    void theConfigMapsHeadersAreOnTheResponseAsWritten() throws IOException {
        Response response = get("/", "headers.test", null);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("My-Custom-Header")).isEqualTo("42");
        // As ingress-nginx's e2e test: a value is text, never an nginx variable.
        assertThat(response.header("My-Custom-Header-Dollar")).isEqualTo("$remote_addr");
        assertThat(app.lastRequest().containsHeader("My-Custom-Header")).isFalse();
    }

    @Test
    void aMissingOrInvalidConfigMapDeniesTheRoute503AndOthersKeepServing() throws IOException {
        assertThat(get("/", "headers-missing.test", null).status()).isEqualTo(503);
        assertThat(get("/", "headers-invalid.test", null).status()).isEqualTo(503);
        assertThat(app.requests()).isEmpty();
        assertThat(managementGet("/actuator/ingresses/apps/headers-invalid").body())
                .contains("ConfigMap apps/bad-headers has a value for X-Bad that is not printable ASCII");
        assertThat(get("/", "headers.test", null).status()).isEqualTo(200);
    }

    // --- helpers ---

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private Response get(String target, String host, String authorization) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n");
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
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  namespace: apps
                  name: users
                type: Opaque
                data:
                  auth: %s
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  namespace: other
                  name: users
                type: Opaque
                data:
                  auth: %s
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  namespace: apps
                  name: map-users
                stringData:
                  dave: "$5$abcdefgh$gruCpC7VkOTspMQTTSAR8mtlO9Upms.fwqE5y16JVM."
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  namespace: apps
                  name: headers
                data:
                  My-Custom-Header: "42"
                  My-Custom-Header-Dollar: "$remote_addr"
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  namespace: apps
                  name: bad-headers
                data:
                  X-Bad: "caf\\u00e9"
                """.formatted(app.port(), base64(HTPASSWD), base64(HTPASSWD)));
        ingress(yaml, "plain", Map.of());
        ingress(yaml, "basic", ordered(NGINX + "auth-type", "basic", NGINX + "auth-secret", "users",
                NGINX + "auth-realm", "Staff only"));
        ingress(yaml, "map", ordered(NGINX + "auth-type", "basic", NGINX + "auth-secret", "apps/map-users",
                "ingress-gateway.io/auth-secret-type", "auth-map"));
        ingress(yaml, "missing", ordered(NGINX + "auth-type", "basic", NGINX + "auth-secret", "absent"));
        ingress(yaml, "cross-namespace", ordered(NGINX + "auth-type", "basic", NGINX + "auth-secret",
                "other/users"));
        ingress(yaml, "digest", ordered(NGINX + "auth-type", "digest", NGINX + "auth-secret", "users"));
        ingress(yaml, "no-secret", ordered(NGINX + "auth-type", "basic"));
        ingress(yaml, "headers", ordered(NGINX + "custom-headers", "apps/headers"));
        ingress(yaml, "headers-missing", ordered(NGINX + "custom-headers", "absent"));
        ingress(yaml, "headers-invalid", ordered(NGINX + "custom-headers", "bad-headers"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** An Ingress for {@code <name>.test} with one {@code /} Prefix path to the app, and the given annotations. */
    private static void ingress(StringBuilder yaml, String name, Map<String, String> annotations) {
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
                    - host: "%s.test"
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: app
                                port:
                                  number: 80
                """.formatted(name, annotationLines, name));
    }
}
