package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.edge.Requests.Response;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The public listener's bounds on the real gateway: past the in-flight limit a request is answered 503 with
 * Retry-After at once, without reaching the upstream; past the connection limit a connection is closed as soon as it
 * is accepted. The management server is never subject to either.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.listener.backlog=77",
        "ingress-gateway.listener.max-connections=5",
        "ingress-gateway.listener.max-in-flight-requests=2",
        "ingress-gateway.listener.retry-after=2s"})
class PublicListenerLimitsIT {

    /**
     * How long the upstream takes to answer /slow: the two requests that fill the in-flight limit hold their places
     * this long, which must outlast everything a test does meanwhile, even on a loaded machine.
     */
    static final Duration SLOW = Duration.ofSeconds(8);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry registry;

    @Autowired
    ObservedBacklog observedBacklog;

    record ObservedBacklog(AtomicReference<Object> value) {
    }

    @TestConfiguration
    static class ServerOptions {

        @Bean
        ObservedBacklog observedBacklog() {
            return new ObservedBacklog(new AtomicReference<>());
        }

        /** Runs after the gateway's own customizer and records the listen backlog the main server will bind with. */
        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE)
        WebServerFactoryCustomizer<NettyReactiveWebServerFactory> recordBacklog(ObservedBacklog observed) {
            return factory -> factory.addServerCustomizers(server -> {
                observed.value().set(server.configuration().options().get(ChannelOption.SO_BACKLOG));
                return server;
            });
        }
    }

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("fast")));
        backend.stubFor(get(urlEqualTo("/slow")).willReturn(aResponse().withStatus(200).withBody("slow")
                .withFixedDelay((int) SLOW.toMillis())));
        EdgeManifests.write(manifests, backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @BeforeEach
    void awaitReadyAndIdle() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.get(port, EdgeManifests.HOST, "/fast", Duration.ofSeconds(5)).status() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.connections") == 0
                && gauge("ingress.gateway.listener.requests.in.flight") == 0);
        backend.resetRequests();
    }

    @Test
    void theConfiguredBacklogReachesThePublicListener() {
        assertThat(observedBacklog.value().get()).isEqualTo(77);
    }

    @Test
    void requestsPastTheInFlightLimitAreAnswered503AtOnceWithoutReachingTheUpstream() {
        CompletableFuture<Response> first = Requests.start(port, EdgeManifests.HOST, "/slow");
        CompletableFuture<Response> second = Requests.start(port, EdgeManifests.HOST, "/slow");
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 2);
        double rejectedBefore = rejections("max-in-flight-requests");

        Response rejectedSlow = Requests.get(port, EdgeManifests.HOST, "/slow", SLOW);
        Response rejectedFast = Requests.get(port, EdgeManifests.HOST, "/fast", SLOW);
        // Answered while both slots are still taken: the rejected requests did not wait for a slot.
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(rejectedSlow.status()).isEqualTo(503);
        assertThat(rejectedSlow.retryAfter()).isEqualTo("2");
        assertThat(rejectedFast.status()).isEqualTo(503);
        assertThat(rejectedFast.retryAfter()).isEqualTo("2");

        // Probes are not requests of the public listener: they answer while it is full.
        assertThat(Requests.probe(managementPort, "/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(Requests.probe(managementPort, "/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(Requests.probe(managementPort, "/actuator/prometheus").body())
                .contains("ingress_gateway_listener_rejections_total{reason=\"max-in-flight-requests\"} "
                        + (rejectedBefore + 2))
                .contains("ingress_gateway_listener_requests_in_flight 2.0");

        assertThat(first.join().body()).isEqualTo("slow");
        assertThat(second.join().body()).isEqualTo("slow");
        backend.verify(2, getRequestedFor(urlEqualTo("/slow")));
        backend.verify(0, getRequestedFor(urlEqualTo("/fast")));

        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 0);
        assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", Duration.ofSeconds(30)).status()).isEqualTo(200);
    }

    @Test
    void aClientComingBackOnItsConnectionBeforeItsRetryAfterIsHeldUntilThen() throws IOException {
        CompletableFuture<Response> first = Requests.start(port, EdgeManifests.HOST, "/slow");
        CompletableFuture<Response> second = Requests.start(port, EdgeManifests.HOST, "/slow");
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.requests.in.flight") == 2);
        double heldBefore = held();

        try (PlainHttpConnection client = new PlainHttpConnection(port, EdgeManifests.HOST, Duration.ofSeconds(10))) {
            assertThat(client.get("/fast")).isEqualTo(503);
            long shedAt = System.nanoTime();

            // At once again, on the same connection, ignoring "Retry-After: 2": held until those 2 s have passed
            // (both slots are still taken then, so it is shed once more).
            assertThat(client.get("/fast")).isEqualTo(503);
            long heldFor = System.nanoTime() - shedAt;
            assertThat(Duration.ofNanos(heldFor)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
        // Another client, never told to wait, is not held: only the early retry above was.
        assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", SLOW).status()).isIn(200, 503);
        assertThat(held()).isEqualTo(heldBefore + 1);
        assertThat(Requests.probe(managementPort, "/actuator/prometheus").body())
                .contains("ingress_gateway_listener_held_requests_total " + (heldBefore + 1));

        first.join();
        second.join();
    }

    @Test
    void connectionsPastTheLimitAreClosedOnAcceptWhileTheManagementPortAnswers() throws IOException {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                open.add(connect(port));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.connections") == 5);
            double refusedBefore = rejections("max-connections");

            try (Socket refused = connect(port)) {
                assertThat(closedByServer(refused)).isTrue();
            }
            assertThat(rejections("max-connections")).isEqualTo(refusedBefore + 1);
            assertThat(gauge("ingress.gateway.listener.connections")).isEqualTo(5);

            // The management server has no such limit, and is not counted.
            assertThat(Requests.probe(managementPort, "/actuator/health/readiness").status()).isEqualTo(200);
            assertThat(Requests.probe(managementPort, "/actuator/health/liveness").status()).isEqualTo(200);

            // Refusal is not a lasting state: once a connection closes, a new one is served.
            open.remove(0).close();
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge("ingress.gateway.listener.connections") == 4);
            assertThat(Requests.get(port, EdgeManifests.HOST, "/fast", Duration.ofSeconds(30)).body())
                    .isEqualTo("fast");
        } finally {
            for (Socket socket : open) {
                socket.close();
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** True when the server closes (FIN or reset) the connection before any request; false if it stays open. */
    private static boolean closedByServer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double held() {
        return registry.get("ingress.gateway.listener.held.requests").functionCounter().count();
    }

    private double rejections(String reason) {
        return registry.get("ingress.gateway.listener.rejections").tag("reason", reason).functionCounter().count();
    }
}
