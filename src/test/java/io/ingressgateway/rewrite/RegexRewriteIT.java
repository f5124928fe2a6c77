package io.ingressgateway.rewrite;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The regex and rewrite annotations through the real gateway, with Ingresses written as for ingress-nginx and real
 * backends on 127.0.0.1: what path and query the upstream receives, and what the client gets, as ingress-nginx's
 * documentation and e2e tests (rewrite, approot, xforwardedprefix) say.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class RegexRewriteIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    /** Service {@code apps/web}. */
    static final WireMockServer web = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    /** Service {@code apps/other}. */
    static final WireMockServer other = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) throws IOException {
        web.start();
        other.start();
        web.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("web")));
        other.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("other")));
        List<String> documents = new ArrayList<>();
        documents.add("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                """);
        documents.add(service("web", web.port()));
        documents.add(service("other", other.port()));
        documents.add(ingress("rewrite-root", "root.test", Map.of("rewrite-target", "/"),
                path("/api", "Prefix", "web")));
        documents.add(ingress("rewrite-svc", "svc.test", Map.of("rewrite-target", "/$2", "use-regex", "true"),
                path("/svc(/|$)(.*)", "ImplementationSpecific", "web")));
        documents.add(ingress("rewrite-prefix", "prefix.test", Map.of("rewrite-target", "/$1"),
                path("/api/?(.*)", "Prefix", "web")));
        // ingress-path-matching.md's "Path Priority": a plain Ingress and a regex one for the same host.
        documents.add(ingress("order-plain", "order.test", Map.of(), path("/foo/bar", "Prefix", "web")));
        documents.add(ingress("order-regex", "order.test", Map.of("use-regex", "true"),
                path("/foo/bar/.+", "ImplementationSpecific", "other")));
        documents.add(ingress("approot", "approot.test", Map.of("app-root", "/foo"), path("/", "Prefix", "web")));
        documents.add(ingress("xfp", "xfp.test", Map.of("x-forwarded-prefix", "/test/value", "rewrite-target", "/foo"),
                path("/", "Prefix", "web")));
        documents.add(ingress("hostile", "hostile.test", Map.of("use-regex", "true"),
                path("/(a+)+$", "ImplementationSpecific", "other"),
                path("/(a|aa)*b", "ImplementationSpecific", "other"),
                path("/(x)\\1", "ImplementationSpecific", "other"),
                path("/", "Prefix", "web")));
        Files.writeString(manifests.resolve("apps.yaml"), String.join("---\n", documents));
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    private static String service(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %1$s
                spec:
                  ports:
                    - name: http
                      port: 80
                      targetPort: 8080
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: %1$s-1
                  labels:
                    kubernetes.io/service-name: %1$s
                addressType: IPv4
                ports:
                  - name: http
                    port: %2$d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(name, port);
    }

    private static String path(String path, String type, String service) {
        return """
                          - path: '%s'
                            pathType: %s
                            backend:
                              service:
                                name: %s
                                port:
                                  number: 80
                """.formatted(path, type, service);
    }

    private static String ingress(String name, String host, Map<String, String> annotations, String... paths) {
        String annotationLines = annotations.entrySet().stream()
                .map(a -> "    nginx.ingress.kubernetes.io/" + a.getKey() + ": '" + a.getValue() + "'\n")
                .collect(Collectors.joining());
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                  annotations:
                    ingress-gateway.io/unused: 'x'
                %s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %s
                      http:
                        paths:
                %s
                """.formatted(name, annotationLines.stripTrailing(), host, String.join("", paths).stripTrailing());
    }

    @AfterAll
    static void stopBackends() {
        web.stop();
        other.stop();
    }

    @BeforeEach
    void awaitServed() {
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> get("xfp.test", "/").status() == 200);
        web.resetRequests();
        other.resetRequests();
    }

    @Test
    void rewriteToSlashReplacesTheWholePathAndKeepsTheQuery() throws IOException {
        Response response = get("root.test", "/api/users?x=1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(onlyRequest(web).getUrl()).isEqualTo("/?x=1");
        // rewrite-target implies regex: the match is case-insensitive and not anchored at the end.
        assertThat(get("root.test", "/APIs").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/");
    }

    @Test
    void rewriteWithTheSecondCaptureGroupOfTheDocumentedExample() throws IOException {
        // docs/examples/rewrite: /something rewrites to /, /something/ to /, /something/new to /new.
        assertThat(get("svc.test", "/svc").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/");
        assertThat(get("svc.test", "/svc/").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/");
        assertThat(get("svc.test", "/svc/users/1?y=2&z").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/users/1?y=2&z");
        assertThat(get("svc.test", "/svcx").status()).as("no rule matches").isEqualTo(404);
    }

    @Test
    void aCaptureInAPrefixPathWithoutUseRegexIsARegexBecauseOfRewriteTarget() throws IOException {
        assertThat(get("prefix.test", "/api/v1/items?page=2").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/v1/items?page=2");
        assertThat(get("prefix.test", "/API/V1").status()).as("case-insensitive").isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/V1");
        assertThat(get("prefix.test", "/api").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/");
        // Escapes decoded for matching are escaped again on the way out.
        assertThat(get("prefix.test", "/api/a%20b").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/a%20b");
    }

    @Test
    void theLongestPathOfTheHostIsTriedFirstAndThePlainIngressesPathBecomesARegexToo() throws IOException {
        assertThat(get("order.test", "/foo/bar/1").body()).isEqualTo("other");
        assertThat(lastRequest(other).getUrl()).as("no rewrite: the path as sent").isEqualTo("/foo/bar/1");
        assertThat(get("order.test", "/foo/bar").body()).isEqualTo("web");
        assertThat(get("order.test", "/FOO/Bar/").body()).as("the plain Ingress's path is case-insensitive now")
                .isEqualTo("web");
        assertThat(lastRequest(web).getUrl()).isEqualTo("/FOO/Bar/");
        assertThat(get("order.test", "/foo/barbaz").body()).as("and not anchored at the end").isEqualTo("web");
    }

    @Test
    void appRootRedirectsARequestForSlashWith302() throws IOException {
        Response response = get("approot.test", "/");

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("Location")).isEqualTo("http://approot.test/foo");
        assertThat(web.findAll(RequestPatternBuilder.allRequests())).as("the upstream is not asked").isEmpty();
        assertThat(get("approot.test", "/foo?a=1").status()).isEqualTo(200);
        assertThat(lastRequest(web).getUrl()).isEqualTo("/foo?a=1");
    }

    @Test
    void xForwardedPrefixIsSentWithTheRewrittenRequestAndTheClientsIsNot() throws IOException {
        Response response = send("GET / HTTP/1.1\r\nHost: xfp.test\r\nX-Forwarded-Prefix: /forged\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest received = lastRequest(web);
        assertThat(received.getUrl()).isEqualTo("/foo");
        assertThat(received.getHeaders().getHeader("X-Forwarded-Prefix").values()).containsExactly("/test/value");

        send("GET /api/x HTTP/1.1\r\nHost: root.test\r\nX-Forwarded-Prefix: /forged\r\n\r\n");
        assertThat(lastRequest(web).getHeaders().getHeader("X-Forwarded-Prefix").isPresent()).isFalse();
    }

    @Test
    void catastrophicBacktrackingPatternsAnswerInBoundedTimeWhileOtherRoutesKeepAnswering() throws IOException {
        // With a backtracking engine, /(a+)+$ and /(a|aa)*b take exponential time on a long run of a's that does not
        // match them; RE2 is linear in the path. Each hostile request answers under a generous ceiling that only a
        // blow-up would reach (no latency budget is asserted), and routes of other hosts answer between them. The
        // requests go one at a time: parallel ones make Netty's buffer allocator take a lock on the event loops under
        // contention, which NoBlockingOnEventLoops reports though it is not this code's.
        for (String hostile : List.of("/" + "a".repeat(4000) + "!", "/" + "a".repeat(4000) + "c")) {
            CompletableFuture<Response> attack = CompletableFuture.supplyAsync(() -> uncheckedGet("hostile.test",
                    hostile));
            await().atMost(TIMEOUT).until(attack::isDone);
            assertThat(attack.join().body()).as("no hostile expression matches: the host's / does").isEqualTo("web");
            assertThat(get("root.test", "/api").status()).isEqualTo(200);
            assertThat(get("order.test", "/foo/bar/1").body()).isEqualTo("other");
        }
        assertThat(get("hostile.test", "/aaab").body()).as("the expressions do match what they should")
                .isEqualTo("other");
        assertThat(get("hostile.test", "/" + "a".repeat(4000)).body()).isEqualTo("other");
        // The path RE2 refuses (a backreference) is not served; the Ingress's other paths are.
        assertThat(get("hostile.test", "/xx").body()).isEqualTo("web");
    }

    private Response get(String host, String pathAndQuery) throws IOException {
        return send("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    private Response uncheckedGet(String host, String pathAndQuery) {
        try {
            return get(host, pathAndQuery);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a request, the backends' request logs emptied first so that what they then hold is this one's. */
    private Response send(String request) throws IOException {
        web.resetRequests();
        other.resetRequests();
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "127.0.0.1", TIMEOUT)) {
            return connection.send(request);
        }
    }

    private static LoggedRequest onlyRequest(WireMockServer backend) {
        List<LoggedRequest> requests = backend.findAll(RequestPatternBuilder.allRequests());
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /** The request the backend received since the last one was sent through the gateway. */
    private static LoggedRequest lastRequest(WireMockServer backend) {
        return onlyRequest(backend);
    }
}
