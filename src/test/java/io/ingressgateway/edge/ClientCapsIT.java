package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.RawClient;
import io.ingressgateway.support.WebSocketEchoBackend;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
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
 * The public listener's size limits and caps with nginx's answers, on the real gateway: a request line up to 8 KB and
 * headers up to 32 KB pass (ingress-nginx's {@code large_client_header_buffers 4 8k}), longer ones are answered 414 and
 * 431; WebSocket sessions past their cap are answered 503 instead of being upgraded, and hold no in-flight place; a
 * client address past its connection cap is closed at accept while other addresses are served.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.enabled=false",
        "ingress-gateway.listener.max-in-flight-requests=1",
        "ingress-gateway.listener.max-websocket-sessions=1",
        "ingress-gateway.listener.max-connections-per-client-address=3"})
class ClientCapsIT {

    static final Duration CEILING = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    /** Jetty's own header limit (8 KB) raised, so that what is tested is the gateway's. */
    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
            .jettyHeaderRequestSize(128 * 1024));
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
                && gauge("ingress.gateway.listener.websocket.sessions") == 0);
    }

    @Test
    void aRequestLineUpTo8KbIsServedAndALongerOneIsAnswered414() throws Exception {
        // "GET " + path + " HTTP/1.1": just under and just over 8192 bytes.
        assertThat(exchange("/" + "a".repeat(8150), "").status()).isEqualTo(200);
        assertThat(exchange("/" + "a".repeat(8200), "").status()).isEqualTo(414);
    }

    @Test
    void headersUpTo32KbAreServedAndLargerOnesAreAnswered431() throws Exception {
        // Four 7 KB cookies (28 KB) pass, as through ingress-nginx's four 8 KB buffers; five (35 KB) do not.
        assertThat(exchange("/fast", cookies(4)).status()).isEqualTo(200);
        assertThat(exchange("/fast", cookies(5)).status()).isEqualTo(431);
    }

    @Test
    void webSocketSessionsPastTheCapAreAnswered503AndASessionHoldsNoInFlightPlace() throws Exception {
        double rejectedBefore = rejections("max-websocket-sessions");
        WebSocket first = openWebSocket().get(CEILING.toSeconds(), TimeUnit.SECONDS);
        try {
            assertThat(gauge("ingress.gateway.listener.websocket.sessions")).isEqualTo(1);
            // The only in-flight place is given back once the handshake is over (the client may see the 101 a moment
            // before): ordinary requests are served while the session stays open.
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 0);
            assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", CEILING).status()).isEqualTo(200);
            assertThat(gauge("ingress.gateway.listener.websocket.sessions")).isEqualTo(1);

            assertThatThrownBy(() -> openWebSocket().get(CEILING.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            refused -> assertThat(refused.getResponse().statusCode()).isEqualTo(503));
            assertThat(rejections("max-websocket-sessions")).isEqualTo(rejectedBefore + 1);
        } finally {
            first.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(CEILING.toSeconds(), TimeUnit.SECONDS);
        }
        // The place comes back with the session's connection, and a new session gets it.
        await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.websocket.sessions") == 0);
        WebSocket next = openWebSocket().get(CEILING.toSeconds(), TimeUnit.SECONDS);
        next.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(CEILING.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aClientAddressPastItsConnectionCapIsClosedAtAcceptWhileOtherAddressesAreServed() throws Exception {
        double refusedBefore = rejections("max-connections-per-client-address");
        List<RawClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(RawClient.plain(port, "127.0.0.1", CEILING));
            }
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 3);

            try (RawClient fourth = RawClient.plain(port, "127.0.0.1", CEILING)) {
                assertThat(fourth.readUntilClosed()).isEmpty();
            }
            assertThat(rejections("max-connections-per-client-address")).isEqualTo(refusedBefore + 1);

            // Another address has its own budget.
            try (RawClient other = RawClient.plain(port, "127.0.0.2", CEILING)) {
                other.send("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n\r\n");
                assertThat(other.readResponse().body()).isEqualTo("fast");
            }

            held.remove(0).close();
            await().atMost(CEILING).until(() -> gauge("ingress.gateway.listener.connections") == 2);
            try (RawClient again = RawClient.plain(port, "127.0.0.1", CEILING)) {
                again.send("GET /fast HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n\r\n");
                assertThat(again.readResponse().body()).isEqualTo("fast");
            }
        } finally {
            held.forEach(RawClient::close);
        }
    }

    private RawClient.Response exchange(String path, String headers) throws Exception {
        try (RawClient client = RawClient.plain(port, CEILING)) {
            client.send("GET " + path + " HTTP/1.1\r\nHost: " + EdgeManifests.HOST + "\r\n" + headers + "\r\n");
            return client.readResponse();
        }
    }

    private static String cookies(int count) {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            headers.append("Cookie: c").append(i).append('=').append("v".repeat(7 * 1024)).append("\r\n");
        }
        return headers.toString();
    }

    private CompletableFuture<WebSocket> openWebSocket() {
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(CEILING)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        webSocket.request(1);
                        return null;
                    }
                });
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double rejections(String reason) {
        return registry.get("ingress.gateway.listener.rejections").tag("reason", reason).functionCounter().count();
    }
}
