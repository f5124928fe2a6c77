package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.gateway.auth.OAuth2ProxyLikeAuthServer.Received;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import io.ingressgateway.support.PrometheusText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * External authentication through the real gateway, as ingress-nginx's {@code auth-url} family behaves (its e2e tests
 * in test/e2e/annotations/auth.go and nginx's auth_request): a real oauth2-proxy-like auth service on loopback
 * ({@link OAuth2ProxyLikeAuthServer}) and a real upstream ({@link Backend}). Asserts what the client got, what the
 * auth service received and what the upstream received.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        // Long enough for a loaded machine's auth calls, short enough for the slow auth service's test.
        "ingress-gateway.external-auth.timeout=5s"})
class ExternalAuthIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";
    static final String OURS = "ingress-gateway.io/";
    static final String ALICE = OAuth2ProxyLikeAuthServer.SESSION_COOKIE + "=alice";

    @TempDir
    static Path manifests;

    static final Backend app = new Backend("app");
    static final OAuth2ProxyLikeAuthServer auth = new OAuth2ProxyLikeAuthServer();

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
    static void stopServers() {
        app.close();
        auth.close();
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "plain.test", "").status() == 200);
        app.reset();
        auth.reset();
    }

    // --- 2xx: the request goes upstream with the identity headers ---

    @Test
    void anAcceptedRequestGoesUpstreamWithTheAuthServicesIdentityHeadersAndItsBody() throws IOException {
        Response response = send("POST /app/page?x=1&y=%2F HTTP/1.1\r\nHost: oauth.test\r\nCookie: " + ALICE
                + "; theme=dark\r\nAuthorization: Bearer abc\r\nX-Auth-Request-User: mallory\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("app");
        LoggedRequest upstream = app.lastRequest();
        assertThat(upstream.getMethod().getName()).isEqualTo("POST");
        assertThat(upstream.getUrl()).isEqualTo("/app/page?x=1&y=%2F");
        assertThat(upstream.getBodyAsString()).isEqualTo("hello world");
        // auth-response-headers replace what the client sent: no identity can be claimed past the auth service.
        assertThat(upstream.getHeaders().getHeader("X-Auth-Request-User").values()).containsExactly("alice");
        assertThat(upstream.getHeader("X-Auth-Request-Email")).isEqualTo("alice@example.com");

        Received asked = auth.last();
        assertThat(auth.requests()).hasSize(1);
        assertThat(asked.method()).isEqualTo("GET");
        assertThat(asked.uri()).isEqualTo("/oauth2/auth");
        assertThat(asked.bodyBytes()).isZero();
        assertThat(asked.header("Content-Length")).isNull();
        assertThat(asked.header("Transfer-Encoding")).isNull();
        assertThat(asked.header("Host")).isEqualTo("127.0.0.1");
        assertThat(asked.header("X-Original-URL")).isEqualTo("http://oauth.test/app/page?x=1&y=%2F");
        assertThat(asked.header("X-Original-Method")).isEqualTo("POST");
        assertThat(asked.header("X-Auth-Request-Redirect")).isEqualTo("/app/page?x=1&y=%2F");
        assertThat(asked.header("X-Sent-From")).isEqualTo("nginx-ingress-controller");
        assertThat(asked.header("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(asked.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(asked.header("Cookie")).contains(ALICE).contains("theme=dark");
        assertThat(asked.header("Authorization")).isEqualTo("Bearer abc");
        // Without auth-method, ingress-nginx sends neither of these.
        assertThat(asked.header("X-Original-URI")).isNull();
    }

    @Test
    void aResponseHeaderTheAuthServiceLeftOutIsRemovedFromTheClientsRequest() throws IOException {
        Response response = send("GET / HTTP/1.1\r\nHost: oauth.test\r\nCookie: "
                + OAuth2ProxyLikeAuthServer.SESSION_COOKIE + "=bob\r\nX-Auth-Request-Email: admin@example.com"
                + "\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(app.lastRequest().getHeader("X-Auth-Request-User")).isEqualTo("bob");
        assertThat(app.lastRequest().containsHeader("X-Auth-Request-Email")).isFalse();
    }

    @Test
    void authMethodAndRequestRedirectAreSentAndStillNoBody() throws IOException {
        Response response = send("PUT /doc HTTP/1.1\r\nHost: post-method.test\r\nCookie: " + ALICE
                + "\r\nContent-Length: 5\r\n\r\nabcde");

        assertThat(response.status()).isEqualTo(200);
        assertThat(app.lastRequest().getBodyAsString()).isEqualTo("abcde");
        Received asked = auth.last();
        assertThat(asked.method()).isEqualTo("POST");
        assertThat(asked.bodyBytes()).isZero();
        assertThat(asked.header("X-Original-Method")).isEqualTo("PUT");
        assertThat(asked.header("X-Original-URI")).isEqualTo("/doc");
        assertThat(asked.header("X-Scheme")).isEqualTo("http");
        assertThat(asked.header("X-Auth-Request-Redirect")).isEqualTo("https://post-method.test/after");
    }

    @Test
    void variablesInTheAuthUrlAreFilledInPerRequest() throws IOException {
        Response response = get("/p?q=1&r=a%20b", "vars.test", "Cookie: " + ALICE + "\r\nX-Tenant: blue\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(auth.last().uri()).isEqualTo("/vars?host=vars.test&rd=%2Fp%3Fq%3D1%26r%3Da%2520b&tenant=blue");
    }

    // --- 401, sign-in redirect, 403 ---

    @Test
    void unauthenticatedIs401WithTheChallengeAndNeverReachesTheUpstream() throws IOException {
        Response response = get("/app", "oauth.test", "");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"test\"");
        // nginx's add_header (without always) leaves 401 without the auth service's cookie.
        assertThat(response.header("Set-Cookie")).isNull();
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void withAuthSigninUnauthenticatedIsRedirectedThereWithTheOriginalUrl() throws IOException {
        Response response = get("/?a=b&c=d", "signin.test", "");

        // ingress-nginx's e2e: Location http://<host>/auth/start?rd=http://<host> + QueryEscape("/?a=b&c=d")
        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("http://signin.test/auth/start?rd=http://signin.test"
                + "%2F%3Fa%3Db%26c%3Dd");
        // The sign-in redirect carries the auth service's cookie (oauth2-proxy's CSRF cookie).
        assertThat(response.header("Set-Cookie")).isEqualTo("_oauth2_proxy_csrf=token; Path=/");
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void aCustomRedirectParameterNamesTheOriginalUrl() throws IOException {
        Response response = get("/x", "signin-param.test", "");

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("https://login.example.com/start?app=1&orig="
                + "http://signin-param.test%2Fx");
    }

    @Test
    void forbiddenIs403() throws IOException {
        Response response = get("/", "forbidden.test", "Cookie: " + ALICE + "\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(app.requests()).isEmpty();
    }

    // --- everything else: 500 ---

    @Test
    void anAuthServiceErrorIs500() throws IOException {
        assertThat(get("/", "broken.test", "").status()).isEqualTo(500);
        assertThat(auth.requests()).hasSize(1);
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void anAuthServiceRedirectIs500AsWithAuthRequest() throws IOException {
        assertThat(get("/", "redirecting.test", "").status()).isEqualTo(500);
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void anUnreachableAuthServiceIs500() throws IOException {
        assertThat(get("/", "unreachable.test", "").status()).isEqualTo(500);
        assertThat(app.requests()).isEmpty();
    }

    @Test
    void anAuthServiceSlowerThanTheTimeoutIs500() throws IOException {
        // The auth service answers after 30 s; the gateway gives up after its 5 s timeout.
        assertThat(get("/", "slow.test", "").status()).isEqualTo(500);
        assertThat(app.requests()).isEmpty();
    }

    // --- cookies from the auth service ---

    @Test
    void theAuthServicesCookieReachesTheClientWithASuccessfulResponse() throws IOException {
        Response response = get("/?a=b", "cookie.test", "");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Set-Cookie")).isEqualTo("alma=armud; Path=/");
    }

    @Test
    void theAuthServicesCookieIsDroppedWhenTheUpstreamAnswersAnErrorUnlessAlwaysSetCookie() throws IOException {
        // ingress-nginx's e2e "user does not retain cookie if upstream returns error status code", and its twin.
        Response dropped = get("/error", "cookie.test", "");
        assertThat(dropped.status()).isEqualTo(503);
        assertThat(dropped.header("Set-Cookie")).isNull();

        Response kept = get("/error", "cookie-always.test", "");
        assertThat(kept.status()).isEqualTo(503);
        assertThat(kept.header("Set-Cookie")).isEqualTo("alma=armud; Path=/");
    }

    // --- cache ---

    @Test
    void aCachedAnswerServesTheSameKeyWithoutAskingAgainAndAnotherKeyAsks() throws IOException {
        assertThat(get("/one", "cached.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(200);
        assertThat(get("/two", "cached.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(200);
        assertThat(auth.hits("/oauth2/auth-cached")).isEqualTo(1);
        // The identity headers come from the cached answer too.
        assertThat(app.lastRequest().getHeader("X-Auth-Request-User")).isEqualTo("alice");

        assertThat(get("/three", "cached.test", "Cookie: " + OAuth2ProxyLikeAuthServer.SESSION_COOKIE
                + "=bob\r\n").status()).isEqualTo(200);
        assertThat(auth.hits("/oauth2/auth-cached")).isEqualTo(2);
        assertThat(app.lastRequest().getHeader("X-Auth-Request-User")).isEqualTo("bob");

        // Each route has its key space, as each nginx location has (ingress-nginx's e2e "different location").
        assertThat(get("/", "cached-too.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(200);
        assertThat(auth.hits("/oauth2/auth-cached")).isEqualTo(3);
    }

    @Test
    void decisionsAreCountedByOutcomeAndSource() throws IOException {
        String metric = "ingress_gateway_external_auth_requests_total";
        PrometheusText before = prometheus();
        get("/", "forbidden.test", "");
        get("/", "broken.test", "");
        get("/denied-auth", "invalid-url.test", "");
        for (String user : new String[] {"carol", "carol", "bob", "bob"}) {
            get("/", "cached-too.test", "Cookie: " + OAuth2ProxyLikeAuthServer.SESSION_COOKIE + "=" + user + "\r\n");
        }

        PrometheusText after = prometheus();
        for (Map.Entry<Map<String, String>, Double> expected : Map.of(
                Map.of("outcome", "forbidden", "source", "auth_service"), 1.0,
                Map.of("outcome", "failed", "source", "auth_service"), 1.0,
                Map.of("outcome", "misconfigured", "source", "none"), 1.0,
                // carol has no session: her 401 sets oauth2-proxy's CSRF cookie, so it is never cached (as nginx).
                Map.of("outcome", "unauthorized", "source", "auth_service"), 2.0,
                Map.of("outcome", "unauthorized", "source", "cache"), 0.0,
                // bob's 202 is cached: his second request is decided by the cache.
                Map.of("outcome", "allowed", "source", "auth_service"), 1.0,
                Map.of("outcome", "allowed", "source", "cache"), 1.0).entrySet()) {
            assertThat(after.sum(metric, expected.getKey()) - before.sum(metric, expected.getKey()))
                    .as(expected.getKey().toString()).isEqualTo(expected.getValue());
        }
    }

    @Test
    void withoutACacheKeyEveryRequestAsks() throws IOException {
        get("/", "oauth.test", "Cookie: " + ALICE + "\r\n");
        get("/", "oauth.test", "Cookie: " + ALICE + "\r\n");
        assertThat(auth.hits("/oauth2/auth")).isEqualTo(2);
    }

    // --- auth-proxy-set-headers: the ConfigMap's headers reach the auth service only ---

    @Test
    void theAuthProxySetHeadersConfigMapsHeadersReachTheAuthServiceButNotTheUpstream() throws IOException {
        Response response = get("/", "proxy-headers.test", "Cookie: " + ALICE + "\r\nX-Auth-Tenant: mallory\r\n");

        assertThat(response.status()).isEqualTo(200);
        Received asked = auth.last();
        assertThat(asked.header("X-Client-Id")).isEqualTo("gateway-42");
        // Set after the client's headers, as nginx's proxy_set_header replaces them: one value, the ConfigMap's.
        assertThat(asked.header("X-Auth-Tenant")).isEqualTo("shop");
        // The client's other headers and the ones ingress-nginx always sets are still there.
        assertThat(asked.header("Cookie")).contains(ALICE);
        assertThat(asked.header("X-Original-URL")).isEqualTo("http://proxy-headers.test/");
        LoggedRequest upstream = app.lastRequest();
        assertThat(upstream.containsHeader("X-Client-Id")).isFalse();
        assertThat(upstream.getHeader("X-Auth-Tenant")).isEqualTo("mallory");
    }

    @Test
    void aMissingAuthProxySetHeadersConfigMapDeniesThatIngressWith503WhileOthersKeepServing() throws IOException {
        Response denied = get("/", "proxy-headers-missing.test", "Cookie: " + ALICE + "\r\n");

        assertThat(denied.status()).isEqualTo(503);
        assertThat(app.requests()).isEmpty();
        assertThat(auth.requests()).isEmpty();
        assertThat(get("/", "proxy-headers.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(200);
        assertThat(get("/", "plain.test", "").status()).isEqualTo(200);
        String report = managementGet("/actuator/ingresses/apps/proxy-headers-missing").body();
        assertThat(report).contains(NGINX + "auth-proxy-set-headers").contains("apps/no-such-headers")
                .contains("not found").contains("503");
    }

    // --- bad input: fail closed, others keep serving ---

    @Test
    void anInvalidAuthUrlDeniesTheIngressWith503AndADiagnosticWhileOthersKeepServing() throws IOException {
        Response denied = get("/denied-auth", "invalid-url.test", "Cookie: " + ALICE + "\r\n");

        assertThat(denied.status()).isEqualTo(503);
        assertThat(app.requests()).isEmpty();
        assertThat(auth.requests()).isEmpty();
        assertThat(get("/", "plain.test", "").status()).isEqualTo(200);
        assertThat(get("/", "oauth.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(200);
        String report = managementGet("/actuator/ingresses/apps/invalid-url").body();
        assertThat(report).contains(NGINX + "auth-url").contains("https://invalid..auth.url")
                .contains("503").contains("never served without it");
    }

    @Test
    void anInvalidResponseHeaderListAlsoDenies() throws IOException {
        assertThat(get("/", "invalid-headers.test", "Cookie: " + ALICE + "\r\n").status()).isEqualTo(503);
        assertThat(app.requests()).isEmpty();
    }

    // --- helpers ---

    private Response get(String target, String host, String headers) throws IOException {
        return send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n");
    }

    private Response send(String request) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send(request);
        }
    }

    private Response managementGet(String path) throws IOException {
        return managementGet(path, "application/json");
    }

    private Response managementGet(String path, String accept) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(managementPort, "unused", TIMEOUT)) {
            return connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n"
                    + "Connection: close\r\n\r\n");
        }
    }

    private PrometheusText prometheus() throws IOException {
        Response response = managementGet("/actuator/prometheus", "text/plain");
        assertThat(response.status()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: no-endpoints
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
        String oauth = auth.url("/oauth2/auth");
        ingress(yaml, "plain", "plain.test", Map.of());
        ingress(yaml, "oauth", "oauth.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-response-headers", "X-Auth-Request-User, X-Auth-Request-Email"));
        ingress(yaml, "post-method", "post-method.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-method", "POST", OURS + "auth-request-redirect", "https://post-method.test/after"));
        ingress(yaml, "vars", "vars.test", Map.of(NGINX + "auth-url", auth.url("/vars")
                + "?host=$host&rd=$escaped_request_uri&tenant=${http_x_tenant}"));
        ingress(yaml, "signin", "signin.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-signin", "http://$host/auth/start"));
        ingress(yaml, "signin-param", "signin-param.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-signin", "https://login.example.com/start?app=1",
                NGINX + "auth-signin-redirect-param", "orig"));
        ingress(yaml, "forbidden", "forbidden.test", Map.of(NGINX + "auth-url", auth.url("/status/403")));
        ingress(yaml, "broken", "broken.test", Map.of(NGINX + "auth-url", auth.url("/status/500")));
        ingress(yaml, "redirecting", "redirecting.test", Map.of(NGINX + "auth-url", auth.url("/status/302")));
        ingress(yaml, "unreachable", "unreachable.test", Map.of(NGINX + "auth-url",
                "http://127.0.0.1:" + closedPort() + "/oauth2/auth"));
        ingress(yaml, "slow", "slow.test", Map.of(NGINX + "auth-url", auth.url("/slow")));
        Map<String, String> cookie = Map.of(NGINX + "auth-url", auth.url("/cookies/set"));
        ingress(yaml, "cookie", "cookie.test", cookie);
        ingress(yaml, "cookie-error", "cookie.test", cookie, "/error", "no-endpoints");
        Map<String, String> always = new LinkedHashMap<>(cookie);
        always.put(NGINX + "auth-always-set-cookie", "true");
        ingress(yaml, "cookie-always", "cookie-always.test", always, "/error", "no-endpoints");
        Map<String, String> cached = Map.of(NGINX + "auth-url", auth.url("/oauth2/auth-cached"),
                NGINX + "auth-response-headers", "X-Auth-Request-User",
                NGINX + "auth-cache-key", "$cookie__oauth2_proxy",
                NGINX + "auth-cache-duration", "200 202 401 30m");
        ingress(yaml, "cached", "cached.test", cached);
        ingress(yaml, "cached-too", "cached-too.test", cached);
        ingress(yaml, "invalid-url", "invalid-url.test", Map.of(NGINX + "auth-url", "https://invalid..auth.url"),
                "/denied-auth", "app");
        yaml.append("""
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  namespace: apps
                  name: auth-headers
                data:
                  X-Client-Id: gateway-42
                  X-Auth-Tenant: shop
                """);
        ingress(yaml, "proxy-headers", "proxy-headers.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-proxy-set-headers", "auth-headers"));
        ingress(yaml, "proxy-headers-missing", "proxy-headers-missing.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-proxy-set-headers", "apps/no-such-headers"));
        ingress(yaml, "invalid-headers", "invalid-headers.test", Map.of(NGINX + "auth-url", oauth,
                NGINX + "auth-response-headers", "X-User; X-Email"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ingress(StringBuilder yaml, String name, String host, Map<String, String> annotations) {
        ingress(yaml, name, host, annotations, "/", "app");
    }

    private static void ingress(StringBuilder yaml, String name, String host, Map<String, String> annotations,
                                String path, String service) {
        StringBuilder annotationLines = new StringBuilder(annotations.isEmpty() ? " {}" : "");
        annotations.forEach((key, value) -> annotationLines.append("\n    ").append(key).append(": '")
                .append(value).append('\''));
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
                          - path: %s
                            pathType: Prefix
                            backend:
                              service:
                                name: %s
                                port:
                                  number: 80
                """.formatted(name, annotationLines, host, path, service));
    }
}
