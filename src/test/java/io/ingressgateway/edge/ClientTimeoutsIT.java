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
import io.ingressgateway.support.WebSocketEchoBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTP listener's client timeouts on the real gateway, set short (2 s; the keep-alive timeout 4 s, so that what
 * closes a slow or silent head is the header deadline and not the idle timeout) so that tests see them expire: a slowloris
 * is closed at the header deadline however steadily it trickles, and its connection slot is freed; a client that
 * never speaks, an idle keep-alive connection and an idle WebSocket are closed; a stalled upload is answered 408 and
 * gives back its in-flight place. The connection cap (3) and the in-flight cap (1) are tiny, so each of these, left
 * alone, would lock every other client out.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.enabled=false",
        "ingress-gateway.listener.max-connections=3",
        "ingress-gateway.listener.max-in-flight-requests=1",
        "ingress-gateway.listener.client-header-timeout=2s",
        "ingress-gateway.listener.client-body-timeout=2s",
        "ingress-gateway.listener.keep-alive-timeout=4s",
        "ingress-gateway.listener.websocket-idle-timeout=2s"})
class ClientTimeoutsIT {

    /** Far beyond any of the 2 s timeouts, even on a loaded machine: only a connection never closed reaches it. */
    static final Duration CEILING = Duration.ofSeconds(30);
    static final Duration TRICKLE = Duration.ofMillis(500);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final WebSocketEchoBackend echo = new WebSocketEchoBackend();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("fast")));
        EdgeManifests.write(manifests, backend.port());
        // Every other host (the JDK's WebSocket client sends Host: 127.0.0.1:port) goes to the echo upstream.
        EdgeManifests.writeHost(manifests, null, "echo", echo.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackends() {
        backend.stop();
        echo.close();
    }

    @BeforeEach
    void awaitReadyAndIdle() {
        await().atMost(CEILING).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(CEILING).ignoreExceptions()
                .until(() -> Requests.get(port, EdgeManifests.HOST, "/fast", Duration.ofSeconds(5)).status() == 200);
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 0
                && gauge("ingress.gateway.listener.requests.in.flight") == 0);
    }

    @Test
    void slowlorisConnectionsAreClosedAtTheHeaderDeadlineAndTheirSlotsFreed() throws Exception {
        double timedOutBefore = timeouts("client-header");
        List<RawClient> slowloris = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawClient client = RawClient.plain(port, CEILING);
                client.trickleHeaders("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n", TRICKLE);
                slowloris.add(client);
            }
            // Every connection slot is taken by a client that never finishes its headers.
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 3);

            for (RawClient client : slowloris) {
                // Bytes kept coming, and did not push the deadline back: 408, then the connection is closed.
                assertThat(client.readUntilClosed()).startsWith("HTTP/1.1 408");
            }
            assertThat(slowloris).allSatisfy(client -> assertThat(client.bytesTrickled()).isPositive());
        } finally {
            slowloris.forEach(RawClient::close);
        }
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 0);
        assertThat(timeouts("client-header")).isEqualTo(timedOutBefore + 3);
        assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", CEILING).body()).isEqualTo("fast");
    }

    @Test
    void aConnectionThatNeverSendsAByteIsClosedSilentlyAtTheHeaderDeadline() throws Exception {
        double timedOutBefore = timeouts("client-header");
        try (RawClient silent = RawClient.plain(port, CEILING)) {
            assertThat(silent.readUntilClosed()).isEmpty();
        }
        assertThat(timeouts("client-header")).isEqualTo(timedOutBefore + 1);
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 0);
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
        double headerTimeoutsBefore = timeouts("client-header");
        try (RawClient client = RawClient.plain(port, CEILING)) {
            client.send("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().get("connection")).isNotEqualToIgnoringCase("close");

            assertThat(client.readUntilClosed()).isEmpty();
        }
        // Closed by the keep-alive timeout: no header deadline runs between requests.
        assertThat(timeouts("client-header")).isEqualTo(headerTimeoutsBefore);
    }

    @Test
    void aStalledUploadIsAnswered408AndGivesBackItsInFlightPlace() throws Exception {
        double bodyTimeoutsBefore = timeouts("client-body");
        try (RawClient upload = RawClient.plain(port, CEILING)) {
            upload.send("POST /upload HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: 100\r\n\r\n" + "x".repeat(10));
            // The upload holds the only in-flight place while it is being read.
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 1);

            assertThat(upload.readUntilClosed()).startsWith("HTTP/1.1 408");
        }
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 0);
        assertThat(timeouts("client-body")).isEqualTo(bodyTimeoutsBefore + 1);
        assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", CEILING).status()).isEqualTo(200);
    }

    @Test
    void anIdleWebSocketIsClosedAfterItsIdleTimeout() throws Exception {
        double idleBefore = timeouts("websocket-idle");
        CompletableFuture<String> echoed = new CompletableFuture<>();
        CompletableFuture<Integer> closedWith = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(CEILING)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closedWith.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closedWith.completeExceptionally(error);
                    }
                })
                .get(CEILING.toSeconds(), TimeUnit.SECONDS);
        try {
            socket.sendText("hello", true).get(CEILING.toSeconds(), TimeUnit.SECONDS);
            assertThat(echoed.get(CEILING.toSeconds(), TimeUnit.SECONDS)).isEqualTo("echo:hello");

            // Then nothing either way: the gateway says it is going away (1001) and closes.
            assertThat(closedWith.get(CEILING.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1001);
        } finally {
            socket.abort();
        }
        assertThat(timeouts("websocket-idle")).isEqualTo(idleBefore + 1);
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.websocket.sessions") == 0);
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double timeouts(String timeout) {
        return registry.get("ingress.gateway.listener.timeouts").tag("timeout", timeout).functionCounter().count();
    }
}
