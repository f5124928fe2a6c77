package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.PlainHttpConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The early-retry hold after an upstream's bulkhead refused a request: it concerns that host only, so the next
 * request on the connection for another host passes at once; a client that keeps coming back early for the refused
 * host is held longer each time.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.resilience.retry-after=1s"})
class EarlyRetryHoldIT {

    /** How long the one request the slow host's bulkhead admits takes: longer than everything the test does. */
    static final Duration SLOW = Duration.ofSeconds(15);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @Autowired
    EarlyRetryHold hold;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("fast")));
        backend.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("slow")
                .withFixedDelay((int) SLOW.toMillis())));
        writeManifests(backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @Test
    void aBulkheadsHoldConcernsItsHostAndGrowsWhileTheClientComesBackEarly() throws Exception {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.get(port, "fast.test", "/", Duration.ofSeconds(5)).status() == 200);
        // The slow host's only place is taken for the rest of the test.
        CompletableFuture<Requests.Response> occupying = Requests.start(port, "slow.test", "/slow");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var inFlight = registry.find("ingress.gateway.upstream.inflight").tag("ingress", "slow").gauge();
            return inFlight != null && inFlight.value() == 1;
        });

        try (PlainHttpConnection client = new PlainHttpConnection(port, "slow.test", Duration.ofSeconds(30))) {
            PlainHttpConnection.Response refused = client.send(request("slow.test", "/slow"));
            long refusedAt = System.nanoTime();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            long heldBefore = hold.held();

            // Another host on the same connection: not held.
            assertThat(client.send(request("fast.test", "/")).status()).isEqualTo(200);
            assertThat(hold.held()).isEqualTo(heldBefore);

            // The refused host again, at once: held until its Retry-After (counted from the refusal), then refused
            // again (the place is still taken).
            assertThat(client.send(request("slow.test", "/slow")).status()).isEqualTo(503);
            Duration firstHold = Duration.ofNanos(System.nanoTime() - refusedAt);
            assertThat(hold.held()).isEqualTo(heldBefore + 1);
            assertThat(firstHold).isGreaterThanOrEqualTo(Duration.ofMillis(950));

            // At once again: the hold has doubled.
            long start = System.nanoTime();
            assertThat(client.send(request("slow.test", "/slow")).status()).isEqualTo(503);
            Duration secondHold = Duration.ofNanos(System.nanoTime() - start);
            assertThat(hold.held()).isEqualTo(heldBefore + 2);
            assertThat(secondHold).isGreaterThanOrEqualTo(Duration.ofMillis(1950));
        }
        assertThat(occupying.get().status()).isEqualTo(200);
    }

    private static String request(String host, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n";
    }

    private static void writeManifests(int backendPort) {
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
        for (String name : new String[] {"slow", "fast"}) {
            yaml.append("""
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      namespace: apps
                      name: %s
                      annotations:
                        ingress-gateway.io/max-concurrent-requests: "%s"
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
                    """.formatted(name, name.equals("slow") ? "1" : "100", name));
        }
        try {
            Files.writeString(manifests.resolve("apps.yaml"), yaml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
