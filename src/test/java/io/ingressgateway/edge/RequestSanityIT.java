package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PlainHttpConnection.Response;
import io.ingressgateway.tls.HttpsListener;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * Requests the gateway must not route, sent byte for byte on raw connections to the real gateway: each is refused
 * before any upstream sees it, or normalised so that the upstream serves exactly what the rule matched. Also the
 * headers the gateway owns (forwarded headers, whatever {@code Connection} names; {@code X-Forwarded-Port} from the
 * listener), and the early-retry hold, which an upstream's own 503 must not set off.
 *
 * <p>Hosts: {@code a.test} has {@code /public}, {@code /admin} and {@code /busy} (an upstream answering 503 with
 * {@code Retry-After: 5}); {@code b.test} and {@code *.example.com} one backend each; {@code ws.test} a WebSocket
 * backend; a rule without host serves everything else.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.listener.public-port=8088",
        "ingress-gateway.tls.redirect-port=9443"})
class RequestSanityIT {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final Backend publicApp = new Backend("public");
    static final Backend adminApp = new Backend("admin");
    static final Backend bApp = new Backend("b");
    static final Backend wildcardApp = new Backend("wildcard");
    static final Backend anyHostApp = new Backend("any-host");
    static final WireMockServer busyApp = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final Map<String, String> webSocketHandshake = new ConcurrentHashMap<>();
    static DisposableServer webSocketApp;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    EarlyRetryHold earlyRetryHold;

    @Autowired
    HttpsListener httpsListener;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        busyApp.start();
        busyApp.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withHeader("Retry-After", "5")
                .withBody("this app is busy")));
        webSocketApp = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> {
                    request.requestHeaders().forEach(h -> webSocketHandshake.put(h.getKey().toLowerCase(), h.getValue()));
                    return response.sendWebsocket((in, out) -> out.sendString(in.receive().asString()));
                })
                .bindNow();
        writeManifests();
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackends() {
        Stream.of(publicApp, adminApp, bApp, wildcardApp, anyHostApp).forEach(Backend::close);
        busyApp.stop();
        webSocketApp.disposeNow();
    }

    @BeforeEach
    void awaitServedAndReset() {
        await().atMost(TIMEOUT).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> send(get("/", "Host: b.test")).status() == 200);
        Stream.of(publicApp, adminApp, bApp, wildcardApp, anyHostApp).forEach(Backend::reset);
        busyApp.resetRequests();
        webSocketHandshake.clear();
    }

    // --- Host ---

    @ParameterizedTest
    @ValueSource(strings = {"evil/x.example.com", "x.example.com evil", "user@x.example.com", "x.example.com:",
            "x.example.com:80x", "x.example.com:99999", "x..example.com", "[::1"})
    void anInvalidHostIsAnswered400BeforeRouting(String host) throws IOException {
        Response response = send(get("/", "Host: " + host));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(wildcardApp.requests()).isEmpty();
        assertThat(anyHostApp.requests()).isEmpty();
    }

    @Test
    void aDuplicateHostIsAnswered400() throws IOException {
        Response response = send(get("/", "Host: b.test", "Host: x.example.com"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(bApp.requests()).isEmpty();
        assertThat(wildcardApp.requests()).isEmpty();
    }

    @Test
    void aMissingHostIs400OnHttp11WhileHttp10IsServedByTheRulesWithoutHost() throws IOException {
        assertThat(send("GET /no-host HTTP/1.1\r\nAccept: */*\r\n\r\n").status()).isEqualTo(400);
        assertThat(anyHostApp.requests()).isEmpty();

        Response http10 = send("GET /no-host HTTP/1.0\r\nAccept: */*\r\n\r\n");
        assertThat(http10.status()).isEqualTo(200);
        assertThat(http10.body()).isEqualTo("any-host");
        assertThat(anyHostApp.lastRequest().getUrl()).isEqualTo("/no-host");
    }

    @Test
    void anAbsoluteTargetNamesTheHostAndTheUpstreamSeesThatHost() throws IOException {
        // RFC 9112 and nginx: the target's authority wins over Host. a.test has no rule for /absolute; b.test serves it.
        Response response = send("GET http://b.test/absolute?q=1 HTTP/1.1\r\nHost: a.test\r\n\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("b");
        LoggedRequest seen = bApp.lastRequest();
        assertThat(seen.getUrl()).isEqualTo("/absolute?q=1");
        assertThat(seen.getHeader("Host")).isEqualTo("b.test");
        assertThat(seen.getHeader("X-Forwarded-Host")).isEqualTo("b.test");

        assertThat(send("GET ftp://b.test/absolute HTTP/1.1\r\nHost: b.test\r\n\r\n").status()).isEqualTo(400);
        assertThat(send("GET http://evil%2fx.example.com/ HTTP/1.1\r\nHost: b.test\r\n\r\n").status())
                .isEqualTo(400);
        assertThat(bApp.requests()).hasSize(1);
        assertThat(wildcardApp.requests()).isEmpty();
    }

    // --- Methods ---

    @Test
    void traceIsAnswered405AndNeverReachesAnUpstream() throws IOException {
        Response response = send("TRACE /public/x HTTP/1.1\r\nHost: a.test\r\nCookie: session=secret\r\n\r\n");

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.body()).doesNotContain("secret");
        assertThat(publicApp.requests()).isEmpty();
        assertThat(anyHostApp.requests()).isEmpty();
    }

    @Test
    void aMethodThatIsNotAnUpperCaseTokenIsAnswered400() throws IOException {
        assertThat(send("get /public/x HTTP/1.1\r\nHost: a.test\r\n\r\n").status()).isEqualTo(400);
        assertThat(publicApp.requests()).isEmpty();

        // An unknown but well-formed method is the upstream's business, as with nginx.
        assertThat(send("PROPFIND /public/x HTTP/1.1\r\nHost: a.test\r\n\r\n").status()).isEqualTo(200);
        assertThat(publicApp.lastRequest().getMethod().getName()).isEqualTo("PROPFIND");
    }

    // --- Paths ---

    @ParameterizedTest
    @ValueSource(strings = {"/admin/..%2Fpublic", "/admin/..%2fpublic/x", "/public/..;/admin", "/public/..;x=1/admin",
            "/public/.;/x", "/public/%2e%2e/admin", "/public/.%2E/admin", "/public/..%5Cadmin", "/public/%00.html",
            "/public/x%00", "/public/../../admin"})
    void anAmbiguousPathIsAnswered400AndReachesNoUpstream(String path) throws IOException {
        Response response = send(get(path, "Host: a.test"));

        assertThat(response.status()).isEqualTo(400);
        // The gateway's own answer: some of these an upstream would refuse too, but only after being contacted.
        assertThat(response.body()).contains("The request path is ambiguous");
        assertThat(publicApp.requests()).isEmpty();
        assertThat(adminApp.requests()).isEmpty();
        assertThat(anyHostApp.requests()).isEmpty();
    }

    /** Refused before the gateway's handler already (not a valid URI): kept so it stays refused. */
    @Test
    void aRawBackslashIsAnswered400() throws IOException {
        assertThat(send(get("/public\\..\\admin", "Host: a.test")).status()).isEqualTo(400);
        assertThat(publicApp.requests()).isEmpty();
        assertThat(adminApp.requests()).isEmpty();
    }

    @Test
    void plainDotSegmentsAndRepeatedSlashesAreResolvedInTheForwardedPathAndTheQueryIsUntouched() throws IOException {
        Response dotted = send(get("/admin/../public/x?q=a%2Fb&r=../s", "Host: a.test"));
        assertThat(dotted.status()).isEqualTo(200);
        assertThat(dotted.body()).isEqualTo("public");
        assertThat(publicApp.lastRequest().getUrl()).isEqualTo("/public/x?q=a%2Fb&r=../s");
        assertThat(adminApp.requests()).isEmpty();

        Response slashes = send(get("//public//./y", "Host: a.test"));
        assertThat(slashes.status()).isEqualTo(200);
        assertThat(publicApp.lastRequest().getUrl()).isEqualTo("/public/y");

        // An ordinary path with escapes goes as received.
        assertThat(send(get("/public/caf%C3%A9%20x?y=%41", "Host: a.test")).status()).isEqualTo(200);
        assertThat(publicApp.lastRequest().getUrl()).isEqualTo("/public/caf%C3%A9%20x?y=%41");
    }

    // --- Headers the gateway owns ---

    @Test
    void theConnectionHeaderCannotStripTheForwardedHeaders() throws IOException {
        Response response = send(get("/owned", "Host: b.test",
                "Connection: X-Forwarded-For, X-Real-IP, X-Request-ID, X-Forwarded-Proto, X-Forwarded-Host, "
                        + "X-Forwarded-Port, X-Forwarded-Scheme",
                "X-Forwarded-For: 6.6.6.6", "X-Request-ID: trace-42"));

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest seen = bApp.lastRequest();
        assertThat(seen.getHeader("X-Forwarded-For")).isEqualTo("127.0.0.1");
        assertThat(seen.getHeader("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(seen.getHeader("X-Request-ID")).isEqualTo("trace-42");
        assertThat(seen.getHeader("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.getHeader("X-Forwarded-Scheme")).isEqualTo("http");
        assertThat(seen.getHeader("X-Forwarded-Host")).isEqualTo("b.test");
        assertThat(seen.getHeader("X-Forwarded-Port")).isEqualTo("8088");
    }

    @Test
    void theConnectionHeaderCannotStripTheForwardedHeadersOfAWebSocketUpgrade() throws IOException {
        Response response = send(get("/socket", "Host: ws.test",
                "Connection: Upgrade, X-Forwarded-For, X-Real-IP, X-Request-ID",
                "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                "X-Forwarded-For: 6.6.6.6", "X-Request-ID: ws-trace-7"));

        assertThat(response.status()).isEqualTo(101);
        await().atMost(TIMEOUT).until(() -> webSocketHandshake.containsKey("host"));
        assertThat(webSocketHandshake).containsEntry("x-forwarded-for", "127.0.0.1")
                .containsEntry("x-real-ip", "127.0.0.1")
                .containsEntry("x-request-id", "ws-trace-7");
    }

    @Test
    void xForwardedPortIsThePortClientsUseForTheListenersSchemeNeverTheHosts() {
        HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
                .headers(headers -> headers.set("Host", "b.test:9999"));
        assertThat(client.get().uri("http://127.0.0.1:" + port + "/port").response().block(TIMEOUT).status().code())
                .isEqualTo(200);
        assertThat(bApp.lastRequest().getHeader("X-Forwarded-Port")).isEqualTo("8088");

        HttpClient tlsClient = client.secure(spec -> spec.sslContext(Http11SslContextSpec.forClient()
                .configure(builder -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE))));
        assertThat(tlsClient.get().uri("https://127.0.0.1:" + httpsListener.port() + "/port").response()
                .block(TIMEOUT).status().code()).isEqualTo(200);
        LoggedRequest seen = bApp.lastRequest();
        assertThat(seen.getHeader("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(seen.getHeader("X-Forwarded-Port")).isEqualTo("9443");
    }

    // --- Early-retry hold ---

    @Test
    void anUpstreamsOwn503WithRetryAfterDoesNotHoldTheNextRequestOnTheConnection() throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            Response busy = connection.send(get("/busy", "Host: a.test"));
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isEqualTo("5");
            assertThat(busy.body()).isEqualTo("this app is busy");

            // Another tenant's request on the same (CDN-like) connection, well inside those 5 s.
            Response other = connection.send(get("/after-busy", "Host: b.test"));
            assertThat(other.status()).isEqualTo(200);
        }
        assertThat(busyApp.getAllServeEvents()).hasSize(1);
        assertThat(earlyRetryHold.held()).isZero();
        assertThat(Requests.probe(managementPort, "/actuator/prometheus").body())
                .contains("ingress_gateway_listener_held_requests_total 0.0");
    }

    // --- helpers ---

    private Response send(String request) throws IOException {
        try (PlainHttpConnection connection = new PlainHttpConnection(port, "unused", TIMEOUT)) {
            return connection.send(request);
        }
    }

    private static String get(String target, String... headers) {
        StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString();
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
        service(yaml, "public", publicApp.port());
        service(yaml, "admin", adminApp.port());
        service(yaml, "busy", busyApp.port());
        service(yaml, "b", bApp.port());
        service(yaml, "wildcard", wildcardApp.port());
        service(yaml, "any-host", anyHostApp.port());
        service(yaml, "ws", webSocketApp.port());
        ingress(yaml, "a", "a.test", List.of("/public:public", "/admin:admin", "/busy:busy"));
        ingress(yaml, "b", "b.test", List.of("/:b"));
        ingress(yaml, "wildcard", "*.example.com", List.of("/:wildcard"));
        ingress(yaml, "ws", "ws.test", List.of("/:ws"));
        ingress(yaml, "any-host", null, List.of("/:any-host"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void service(StringBuilder yaml, String name, int endpointPort) {
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %1$s
                spec:
                  ports:
                    - name: http
                      port: 80
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
                """.formatted(name, endpointPort));
    }

    /** An Ingress with one Prefix path per {@code path:service}; no host when {@code host} is null. */
    private static void ingress(StringBuilder yaml, String name, String host, List<String> paths) {
        yaml.append("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - %shttp:
                        paths:
                """.formatted(name, host == null ? "" : "host: \"" + host + "\"\n      "));
        for (String path : paths) {
            String[] parts = path.split(":");
            yaml.append("""
                              - path: %s
                                pathType: Prefix
                                backend:
                                  service:
                                    name: %s
                                    port:
                                      number: 80
                    """.formatted(parts[0], parts[1]));
        }
    }
}
