package io.ingressgateway.globalratelimit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.RawClient;
import io.ingressgateway.support.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Global rate limits through the real gateway and a real redis-server on loopback: the limit is enforced (the
 * configured status, Retry-After, the upstream never reached), it is given back as the window slides, ignored CIDRs
 * are exempt, a key by header counts clients apart, two gateways sharing one Redis enforce one limit together, and
 * a Redis gone never takes traffic down: the gateway failing open serves (counted, its health detail down, its
 * readiness untouched), the one failing closed refuses with 503.
 *
 * <p>The test's gateway fails open (the default) and answers 429; the second gateway, started beside it on the same
 * manifests and Redis, fails closed. Limits that must not reset during a test have a 24 h window: Redis's windows
 * are aligned on its clock, and a test crossing a window's end (once a day) could see one request more admitted.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
// Closed after the class, with the Redis it was given: a cached context would keep reconnecting to it for nothing.
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "management.endpoint.health.show-details=always",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.enabled=false",
        // Generous: the machine running the tests may be loaded; the short default is for production.
        "ingress-gateway.global-rate-limit.redis.operation-timeout=10s",
        "ingress-gateway.global-rate-limit.redis.max-reconnect-delay=500ms"})
class GlobalRateLimitIT {

    static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static RedisServer redis;
    /** The second gateway, failing closed; started by the first test that needs it. */
    static ConfigurableApplicationContext second;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void gateway(DynamicPropertyRegistry registry) {
        redis = RedisServer.start();
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("upstream")));
        writeManifests(backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
        registry.add("ingress-gateway.global-rate-limit.redis.url", redis::url);
    }

    @AfterAll
    static void stopEverything() {
        if (second != null) {
            second.close();
        }
        backend.stop();
        redis.stop();
    }

    @BeforeEach
    void awaitServing() {
        await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> new HttpProbe(port).get("open.test", "/ready").status() == 200);
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterAndNeverReachesTheUpstream() {
        HttpProbe client = new HttpProbe(port);
        for (int i = 0; i < 3; i++) {
            assertThat(client.get("limited.test", "/limited").status()).isEqualTo(200);
        }
        double limitedBefore = decisions("limited");

        HttpProbe.Response refused = client.get("limited.test", "/limited");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 86_400L);
        assertThat(client.get("limited.test", "/limited").status()).isEqualTo(429);
        backend.verify(3, getRequestedFor(urlEqualTo("/limited")));
        assertThat(decisions("limited")).isEqualTo(limitedBefore + 2);
        // Every path of the Ingress shares its counter, as in ingress-nginx.
        assertThat(client.get("limited.test", "/other-path").status()).isEqualTo(429);
        backend.verify(0, getRequestedFor(urlEqualTo("/other-path")));
    }

    @Test
    void theLimitIsGivenBackAsTheWindowSlides() {
        HttpProbe client = new HttpProbe(port);
        int admitted = 0;
        int status = 200;
        // limit 2 per 2 s: refused after at most 3 (one more when the requests straddle two windows).
        for (int i = 0; i < 10 && status == 200; i++) {
            status = client.get("resets.test", "/resets").status();
            admitted += status == 200 ? 1 : 0;
        }
        assertThat(status).isEqualTo(429);
        int admittedBefore = admitted;

        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get("resets.test", "/resets").status() == 200);

        backend.verify(admittedBefore + 1, getRequestedFor(urlEqualTo("/resets")));
    }

    @Test
    void clientsInTheIgnoredCidrsAreNeverLimited() throws IOException {
        // limit 1, 127.0.0.2 ignored: it passes as often as it likes; 127.0.0.1 is limited after one.
        for (int i = 0; i < 4; i++) {
            assertThat(getFrom("127.0.0.2", "exempt.test", "/exempt").status()).isEqualTo(200);
        }
        double exemptAfter = decisions("exempt");
        assertThat(getFrom("127.0.0.1", "exempt.test", "/exempt").status()).isEqualTo(200);
        assertThat(getFrom("127.0.0.1", "exempt.test", "/exempt").status()).isEqualTo(429);
        assertThat(getFrom("127.0.0.2", "exempt.test", "/exempt").status()).isEqualTo(200);

        backend.verify(6, getRequestedFor(urlEqualTo("/exempt")));
        assertThat(decisions("exempt")).isEqualTo(exemptAfter + 1);
    }

    @Test
    void aKeyByHeaderCountsEachClientApart() {
        HttpProbe client = new HttpProbe(port);
        Map<String, String> alice = Map.of("X-Api-Client", "alice");
        Map<String, String> bob = Map.of("X-Api-Client", "bob");
        assertThat(client.get("by-header.test", "/by-header", alice).status()).isEqualTo(200);
        assertThat(client.get("by-header.test", "/by-header", alice).status()).isEqualTo(200);
        assertThat(client.get("by-header.test", "/by-header", alice).status()).isEqualTo(429);

        // Same address, another key: a counter of its own.
        assertThat(client.get("by-header.test", "/by-header", bob).status()).isEqualTo(200);
        assertThat(client.get("by-header.test", "/by-header", bob).status()).isEqualTo(200);
        assertThat(client.get("by-header.test", "/by-header", bob).status()).isEqualTo(429);
        // Without the header the key is empty, and ingress-nginx counts by the client address instead.
        assertThat(client.get("by-header.test", "/by-header").status()).isEqualTo(200);

        backend.verify(5, getRequestedFor(urlEqualTo("/by-header")));
    }

    @Test
    void twoGatewaysSharingOneRedisEnforceOneLimitTogether() {
        HttpProbe first = new HttpProbe(port);
        HttpProbe other = new HttpProbe(secondPort());
        List<Integer> statuses = new ArrayList<>();
        // limit 4: alternating between the gateways, 4 pass in all, not 4 on each.
        for (int i = 0; i < 8; i++) {
            statuses.add((i % 2 == 0 ? first : other).get("shared.test", "/shared").status());
        }

        assertThat(statuses).containsExactly(200, 200, 200, 200, 429, 429, 429, 429);
        backend.verify(4, getRequestedFor(urlEqualTo("/shared")));
    }

    @Test
    void withRedisGoneTheGatewayFailingOpenServesAndTheOneFailingClosedRefuses() {
        HttpProbe open = new HttpProbe(port);
        HttpProbe closed = new HttpProbe(secondPort());
        HttpProbe management = new HttpProbe(managementPort);
        assertThat(open.get("failover.test", "/failover").status()).isEqualTo(200);
        assertThat(open.get("failover.test", "/failover").status()).isEqualTo(429);
        assertThat(closed.get("failover.test", "/failover").status()).isEqualTo(429);
        double failedOpenBefore = decisions("failed_open");
        double unavailableBefore = storeErrors("unavailable") + storeErrors("timeout") + storeErrors("error");

        redis.stop();
        try {
            // Served without the limit (and counted); the other gateway refuses instead.
            for (int i = 0; i < 3; i++) {
                assertThat(open.get("failover.test", "/failover").status()).isEqualTo(200);
            }
            HttpProbe.Response refused = closed.get("failover.test", "/failover");
            assertThat(refused.status()).isEqualTo(503);
            backend.verify(4, getRequestedFor(urlEqualTo("/failover")));
            assertThat(decisions("failed_open")).isEqualTo(failedOpenBefore + 3);
            assertThat(storeErrors("unavailable") + storeErrors("timeout") + storeErrors("error"))
                    .isEqualTo(unavailableBefore + 3);
            assertThat(management.get("127.0.0.1", "/actuator/prometheus").body())
                    .contains("ingress_gateway_global_rate_limit_decisions_total{decision=\"failed_open\"}");

            // The health detail says so; the probes do not depend on Redis.
            await().atMost(PATIENCE).until(() -> {
                String health = management.get("127.0.0.1", "/actuator/health/globalRateLimit").body();
                return health.contains("\"status\":\"DOWN\"") && health.contains("\"connected\":false")
                        && health.contains("\"failureMode\":\"open\"");
            });
            assertThat(management.get("127.0.0.1", "/actuator/health/readiness").status()).isEqualTo(200);
            assertThat(management.get("127.0.0.1", "/actuator/health/liveness").status()).isEqualTo(200);
        } finally {
            redis.restart();
        }

        // Redis back (empty): limits apply again once the gateway has reconnected.
        await().atMost(PATIENCE).until(() -> management.get("127.0.0.1", "/actuator/health/globalRateLimit")
                .body().contains("\"status\":\"UP\""));
        await().atMost(PATIENCE).until(() -> open.get("failover.test", "/failover").status() == 429);
    }

    private int secondPort() {
        if (second == null) {
            second = new SpringApplicationBuilder(IngressGatewayApplication.class).run(
                    "--server.address=127.0.0.1", "--server.port=0",
                    "--management.server.port=0", "--management.server.address=127.0.0.1",
                    "--ingress-gateway.source=manifests", "--ingress-gateway.manifests-dir=" + manifests,
                    "--ingress-gateway.tls.enabled=false",
                    "--ingress-gateway.global-rate-limit.redis.url=" + redis.url(),
                    "--ingress-gateway.global-rate-limit.redis.operation-timeout=10s",
                    "--ingress-gateway.global-rate-limit.redis.max-reconnect-delay=500ms",
                    "--ingress-gateway.global-rate-limit.failure-mode=closed");
        }
        int secondPort = ((WebServerApplicationContext) second).getWebServer().getPort();
        await().atMost(PATIENCE).ignoreExceptions()
                .until(() -> new HttpProbe(secondPort).get("open.test", "/ready").status() == 200);
        return secondPort;
    }

    private double decisions(String decision) {
        return registry.get(GlobalRateLimitMetrics.DECISIONS).tag("decision", decision).counter().count();
    }

    private double storeErrors(String reason) {
        return registry.get(GlobalRateLimitMetrics.STORE_ERRORS).tag("reason", reason).counter().count();
    }

    private RawClient.Response getFrom(String address, String host, String path) throws IOException {
        try (RawClient client = RawClient.plain(port, address, Duration.ofSeconds(15))) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            return client.readResponse();
        }
    }

    /** One Service (its endpoint the backend) and one Ingress per test, each with its own limit and counters. */
    static void writeManifests(int backendPort) {
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
                  name: web
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
                  name: web-1
                  labels:
                    kubernetes.io/service-name: web
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(backendPort));
        ingress(yaml, "open", Map.of());
        ingress(yaml, "limited", Map.of("nginx.ingress.kubernetes.io/global-rate-limit", "3",
                "nginx.ingress.kubernetes.io/global-rate-limit-window", "24h"));
        ingress(yaml, "resets", Map.of("nginx.ingress.kubernetes.io/global-rate-limit", "2",
                "nginx.ingress.kubernetes.io/global-rate-limit-window", "2s"));
        ingress(yaml, "exempt", Map.of("nginx.ingress.kubernetes.io/global-rate-limit", "1",
                "nginx.ingress.kubernetes.io/global-rate-limit-window", "24h",
                "nginx.ingress.kubernetes.io/global-rate-limit-ignored-cidrs", "10.0.0.0/8, 127.0.0.2"));
        ingress(yaml, "by-header", Map.of("ingress-gateway.io/global-rate-limit", "2",
                "ingress-gateway.io/global-rate-limit-window", "24h",
                "ingress-gateway.io/global-rate-limit-key", "${http_x_api_client}"));
        ingress(yaml, "shared", Map.of("nginx.ingress.kubernetes.io/global-rate-limit", "4",
                "nginx.ingress.kubernetes.io/global-rate-limit-window", "24h"));
        ingress(yaml, "failover", Map.of("nginx.ingress.kubernetes.io/global-rate-limit", "1",
                "nginx.ingress.kubernetes.io/global-rate-limit-window", "24h"));
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ingress(StringBuilder yaml, String name, Map<String, String> annotations) {
        yaml.append("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                  annotations:
                """.formatted(name));
        annotations.forEach((key, value) -> yaml.append("    ").append(key).append(": \"").append(value)
                .append("\"\n"));
        if (annotations.isEmpty()) {
            yaml.setLength(yaml.length() - "  annotations:\n".length());
        }
        yaml.append("""
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %s.test
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """.formatted(name));
    }
}
