package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.RawClient;
import io.ingressgateway.tls.HttpsListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same client timeouts on the HTTPS listener (HTTP/1.1 agreed by ALPN), with the connection cap shared with the
 * HTTP listener: slowloris connections over TLS are answered 408 at the header deadline and free their slots, and an
 * idle keep-alive connection or one that completes its handshake and then says nothing is closed. The keep-alive
 * timeout (4 s) is longer than the header timeout (2 s), as by default, so that a slow head meets the header deadline.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.port=0",
        "ingress-gateway.listener.max-connections=3",
        "ingress-gateway.listener.client-header-timeout=2s",
        "ingress-gateway.listener.keep-alive-timeout=4s"})
class HttpsClientTimeoutsIT {

    /** Far beyond the 2 s timeouts, even on a loaded machine: only a connection never closed reaches it. */
    static final Duration CEILING = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @Autowired
    HttpsListener https;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("fast")));
        EdgeManifests.write(manifests, backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @BeforeEach
    void awaitReadyAndIdle() {
        await().atMost(CEILING).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(CEILING).ignoreExceptions().until(() -> get("/fast").status() == 200);
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 0);
    }

    @Test
    void slowlorisConnectionsOverTlsAreClosedAtTheHeaderDeadlineAndTheirSlotsFreed() throws Exception {
        double timedOutBefore = headerTimeouts();
        List<RawClient> slowloris = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient client = RawClient.tls(https.port(), EdgeManifests.HOST, CEILING);
                client.trickleHeaders("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n",
                        Duration.ofMillis(500));
                slowloris.add(client);
            }
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 3);

            for (RawClient client : slowloris) {
                assertThat(client.readUntilClosed()).startsWith("HTTP/1.1 408");
            }
            assertThat(slowloris).allSatisfy(client -> assertThat(client.bytesTrickled()).isPositive());
        } finally {
            slowloris.forEach(RawClient::close);
        }
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 0);
        assertThat(headerTimeouts()).isEqualTo(timedOutBefore + 3);
        assertThat(get("/fast").body()).isEqualTo("fast");
    }

    @Test
    void aTlsConnectionThatSendsNoRequestIsClosedAtTheHeaderDeadline() throws Exception {
        try (RawClient silent = RawClient.tls(https.port(), EdgeManifests.HOST, CEILING)) {
            assertThat(silent.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void anIdleKeepAliveConnectionOverTlsIsClosedAfterTheKeepAliveTimeout() throws Exception {
        try (RawClient client = RawClient.tls(https.port(), EdgeManifests.HOST, CEILING)) {
            client.send("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(200);

            assertThat(client.readUntilClosed()).isEmpty();
        }
    }

    private RawClient.Response get(String path) throws Exception {
        try (RawClient client = RawClient.tls(https.port(), EdgeManifests.HOST, CEILING)) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\nConnection: close\r\n\r\n");
            return client.readResponse();
        }
    }

    private double headerTimeouts() {
        return registry.get("ingress.gateway.listener.timeouts").tag("timeout", "client-header").functionCounter()
                .count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }
}
