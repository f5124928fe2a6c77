package io.ingressgateway.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.gateway.balance.EndpointChoosers;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.support.DelayingBackend;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * How an endpoint is chosen, through the real gateway with real backends on loopback, each answering its own name:
 * three behind the Service {@code web} (one EndpointSlice each, so one can be taken away), used by Ingresses with
 * {@code affinity: cookie} (balanced and persistent) and {@code upstream-hash-by: $http_x_user}; and two fast and one
 * slow behind {@code latency}, used by an Ingress with {@code load-balance: ewma}; and one live and one refusing
 * connections behind {@code flaky}, for {@code session-cookie-change-on-failure}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class EndpointChoiceIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final String NGINX = "nginx.ingress.kubernetes.io/";
    static final String OURS = "ingress-gateway.io/";

    @TempDir
    static Path manifests;

    static final List<DelayingBackend> web = List.of(new DelayingBackend("web-a", Duration.ZERO),
            new DelayingBackend("web-b", Duration.ZERO), new DelayingBackend("web-c", Duration.ZERO));
    static final DelayingBackend fast1 = new DelayingBackend("fast-1", Duration.ZERO);
    static final DelayingBackend fast2 = new DelayingBackend("fast-2", Duration.ZERO);
    /** Behind {@code flaky} beside {@link #DEAD_PORT}, where nothing listens. */
    static final DelayingBackend flakyLive = new DelayingBackend("flaky-live", Duration.ZERO);
    static final int DEAD_PORT = freePort();
    /** Slow enough that a loaded machine's fast answers stay far quicker. */
    static final DelayingBackend slow = new DelayingBackend("slow", Duration.ofMillis(400));

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        writeManifests(Set.of());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackends() {
        web.forEach(DelayingBackend::close);
        fast1.close();
        fast2.close();
        slow.close();
        flakyLive.close();
    }

    /** Every web endpoint served again (a test may have taken one away). */
    @BeforeEach
    void allWebEndpointsServed() {
        writeManifests(Set.of());
        Set<String> seen = new HashSet<>();
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
            for (int user = 0; user < 30; user++) {
                Response response = get("/", "hash.test", Map.of("X-User", "probe-" + user));
                if (response.status() == 200) {
                    seen.add(response.body());
                }
            }
            return seen.size() == 3;
        });
    }

    // --- affinity: cookie ---

    @Test
    void theFirstResponseSetsTheCookieAndLaterRequestsAllGoToItsBackend() throws IOException {
        Response first = get("/app/page", "affinity.test", Map.of());

        assertThat(first.status()).isEqualTo(200);
        String setCookie = first.header("Set-Cookie");
        // Path defaults to the Ingress path, as ingress-nginx's location path; attributes per the annotations.
        assertThat(setCookie).startsWith("route=").contains("; Path=/app").contains("; Max-Age=3600")
                .contains("; Expires=").contains("; HttpOnly").contains("; SameSite=Lax").doesNotContain("Secure");
        String cookie = cookieValue(setCookie);
        // An opaque value: no pod address in clear.
        assertThat(cookie).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(portOf(first.body())));

        for (int i = 0; i < 20; i++) {
            Response next = get("/app/page?i=" + i, "affinity.test", Map.of("Cookie", "route=" + cookie));
            assertThat(next.body()).isEqualTo(first.body());
            assertThat(next.header("Set-Cookie")).isNull();
        }
    }

    @Test
    void clientsWithoutTheCookieAreSpreadOverTheBackends() throws IOException {
        Set<String> backends = new HashSet<>();
        for (int i = 0; i < 60 && backends.size() < 3; i++) {
            backends.add(get("/app", "affinity.test", Map.of()).body());
        }
        assertThat(backends).containsExactlyInAnyOrder("web-a", "web-b", "web-c");
    }

    @Test
    void whenTheCookiesEndpointLeavesTheRequestMovesAndTheCookieChanges() throws IOException {
        for (String host : List.of("affinity.test", "persistent.test")) {
            Response first = get("/app", host, Map.of());
            String cookie = cookieValue(first.header("Set-Cookie"));
            String pinned = first.body();

            writeManifests(Set.of(pinned));
            Response[] moved = new Response[1];
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
                moved[0] = get("/app", host, Map.of("Cookie", "route=" + cookie));
                return moved[0].status() == 200 && !moved[0].body().equals(pinned);
            });
            String newCookie = cookieValue(moved[0].header("Set-Cookie"));
            assertThat(newCookie).as(host).isNotEqualTo(cookie);
            // The new cookie holds on the new backend.
            for (int i = 0; i < 10; i++) {
                Response next = get("/app", host, Map.of("Cookie", "route=" + newCookie));
                assertThat(next.body()).as(host).isEqualTo(moved[0].body());
                assertThat(next.header("Set-Cookie")).as(host).isNull();
            }
            allWebEndpointsServed();
        }
    }

    @Test
    void persistentModeKeepsTheClientOnItsBackendWhenTheOthersCome() throws IOException {
        writeManifests(Set.of("web-b", "web-c"));
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                seen.add(get("/app", "persistent.test", Map.of()).body());
            }
            return seen.equals(Set.of("web-a"));
        });
        String cookie = cookieValue(get("/app", "persistent.test", Map.of()).header("Set-Cookie"));

        allWebEndpointsServed();
        for (int i = 0; i < 20; i++) {
            Response next = get("/app", "persistent.test", Map.of("Cookie", "route=" + cookie));
            assertThat(next.body()).isEqualTo("web-a");
            assertThat(next.header("Set-Cookie")).isNull();
        }
    }

    @Test
    void changeOnFailureSetsTheCookieToTheEndpointThatAnsweredWhenTheChosenOneRefused() throws IOException {
        UpstreamKey flaky = new UpstreamKey("apps", "flaky", "80");
        String live = EndpointChoosers.cookieToken(flaky, new Endpoint("127.0.0.1", flakyLive.port()));
        String dead = EndpointChoosers.cookieToken(flaky, new Endpoint("127.0.0.1", DEAD_PORT));
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("/", "change.test", Map.of()).status() == 200);
        int namingTheDeadOne = 0;
        for (int client = 0; client < 20; client++) {
            Response changed = get("/", "change.test", Map.of());
            assertThat(changed.status()).isEqualTo(200);
            assertThat(changed.body()).isEqualTo("flaky-live");
            assertThat(cookieValue(changed.header("Set-Cookie"))).endsWith(live);

            Response kept = get("/", "nochange.test", Map.of());
            assertThat(kept.body()).isEqualTo("flaky-live"); // the retry served it
            if (cookieValue(kept.header("Set-Cookie")).endsWith(dead)) {
                namingTheDeadOne++;
            }
        }
        // Without change-on-failure the cookie names the endpoint chosen, dead or not: about half the new clients.
        assertThat(namingTheDeadOne).isPositive();
    }

    // --- upstream-hash-by ---

    @Test
    void theSameHeaderValueAlwaysReachesTheSameBackendAndDifferentValuesSpread() throws IOException {
        Map<String, String> backendOfUser = new HashMap<>();
        for (int user = 0; user < 30; user++) {
            backendOfUser.put("user-" + user, get("/", "hash.test", Map.of("X-User", "user-" + user)).body());
        }
        for (int round = 0; round < 3; round++) {
            for (Map.Entry<String, String> entry : backendOfUser.entrySet()) {
                assertThat(get("/other/path?round=" + round, "hash.test", Map.of("X-User", entry.getKey())).body())
                        .as(entry.getKey()).isEqualTo(entry.getValue());
            }
        }
        assertThat(new HashSet<>(backendOfUser.values())).containsExactlyInAnyOrder("web-a", "web-b", "web-c");
    }

    // --- load-balance: ewma ---

    @Test
    void ewmaSendsTheSlowBackendAClearlySmallerShare() throws IOException {
        Map<String, Integer> share = new LinkedHashMap<>();
        int requests = 60;
        for (int i = 0; i < requests; i++) {
            Response response = get("/", "ewma.test", Map.of());
            assertThat(response.status()).isEqualTo(200);
            share.merge(response.body(), 1, Integer::sum);
        }
        // Round robin would send it a third (20); EWMA tries it, sees it slow and avoids it while its record lasts.
        assertThat(share.getOrDefault("slow", 0)).as(share.toString()).isLessThanOrEqualTo(requests / 6);
        assertThat(share.getOrDefault("fast-1", 0) + share.getOrDefault("fast-2", 0)).isGreaterThan(requests * 4 / 5);
    }

    // --- helpers ---

    private Response get(String target, String host, Map<String, String> headers) throws IOException {
        StringBuilder request = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send(request.append("\r\n").toString());
        }
    }

    private static String cookieValue(String setCookie) {
        assertThat(setCookie).isNotNull().startsWith("route=");
        return setCookie.substring("route=".length(), setCookie.indexOf(';'));
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int portOf(String backendName) {
        return web.stream().filter(b -> backendNames().get(b).equals(backendName)).findFirst().orElseThrow().port();
    }

    private static Map<DelayingBackend, String> backendNames() {
        return Map.of(web.get(0), "web-a", web.get(1), "web-b", web.get(2), "web-c");
    }

    /** The manifests, without the EndpointSlices of the web backends named in {@code absent}. */
    private static void writeManifests(Set<String> absent) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                """);
        service(yaml, "web");
        backendNames().forEach((backend, name) -> {
            if (!absent.contains(name)) {
                slice(yaml, "web", name, backend.port());
            }
        });
        service(yaml, "latency");
        slice(yaml, "latency", "fast-1", fast1.port());
        slice(yaml, "latency", "fast-2", fast2.port());
        slice(yaml, "latency", "slow", slow.port());
        service(yaml, "flaky");
        slice(yaml, "flaky", "flaky-live", flakyLive.port());
        slice(yaml, "flaky", "flaky-dead", DEAD_PORT);
        Map<String, String> cookie = new LinkedHashMap<>();
        cookie.put(NGINX + "affinity", "cookie");
        cookie.put(NGINX + "session-cookie-name", "route");
        cookie.put(NGINX + "session-cookie-samesite", "Lax");
        cookie.put(NGINX + "session-cookie-expires", "172800");
        cookie.put(OURS + "session-cookie-max-age", "3600");
        ingress(yaml, "affinity", "affinity.test", "/app", cookie, "web");
        Map<String, String> persistent = new LinkedHashMap<>(cookie);
        persistent.put(OURS + "affinity-mode", "persistent");
        ingress(yaml, "persistent", "persistent.test", "/app", persistent, "web");
        ingress(yaml, "change", "change.test", "/", Map.of(NGINX + "affinity", "cookie",
                NGINX + "session-cookie-name", "route", NGINX + "session-cookie-change-on-failure", "true"), "flaky");
        ingress(yaml, "nochange", "nochange.test", "/", Map.of(NGINX + "affinity", "cookie",
                NGINX + "session-cookie-name", "route"), "flaky");
        ingress(yaml, "hash", "hash.test", "/", Map.of(NGINX + "upstream-hash-by", "$http_x_user"), "web");
        ingress(yaml, "ewma", "ewma.test", "/", Map.of(NGINX + "load-balance", "ewma"), "latency");
        try {
            Path staged = Files.writeString(manifests.resolve("cluster.yaml.tmp"), yaml);
            Files.move(staged, manifests.resolve("cluster.yaml"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void service(StringBuilder yaml, String name) {
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
                """.formatted(name));
    }

    private static void slice(StringBuilder yaml, String service, String name, int port) {
        yaml.append("""
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: %s
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
                """.formatted(name, service, port));
    }

    private static void ingress(StringBuilder yaml, String name, String host, String path,
                                Map<String, String> annotations, String service) {
        StringBuilder annotationLines = new StringBuilder();
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
