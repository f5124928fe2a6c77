package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.tls.Http2FrameClient.Closed;
import io.ingressgateway.tls.Http2FrameClient.Event;
import io.ingressgateway.tls.Http2FrameClient.GoAway;
import io.ingressgateway.tls.Http2FrameClient.Headers;
import io.ingressgateway.tls.Http2FrameClient.Reset;
import io.ingressgateway.tls.Http2FrameClient.Response;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
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
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTPS listener's HTTP/2 limits on the real gateway, with its defaults, driven by a frame-level client that
 * sends what a hostile client would: streams past the concurrency limit, a header list past the size limit, rapid
 * resets (CVE-2023-44487), PING and SETTINGS floods. An abusive connection is closed with GOAWAY ENHANCE_YOUR_CALM;
 * a well-behaved connection open beside it keeps being served.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class Http2LimitsIT {

    static final String HOST = "h2.limits.test";
    /** The defaults: nginx's http2_max_concurrent_streams, and its 4 x 8k header buffers. */
    static final int MAX_CONCURRENT_STREAMS = 128;
    static final int MAX_HEADER_LIST_SIZE = 32 * 1024;
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final HeldBackend backend = new HeldBackend();

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        TlsManifests.write(manifests, backend.port(), List.of(new TlsManifests.TlsHost(HOST, "h2-cert",
                TestCertificates.issue(HOST, KeyFormat.EC_PKCS8, HOST))), List.of());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Autowired
    HttpsListener listener;

    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void routeServed() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            try (Http2FrameClient client = connect()) {
                assertThat(client.get(HOST, "/ready").status()).isEqualTo(200);
            }
        });
    }

    Http2FrameClient connect() throws Exception {
        return new Http2FrameClient(listener.port(), HOST);
    }

    @Test
    void streamsPastTheConcurrencyLimitAreRefusedAndTheOthersServed() throws Exception {
        try (Http2FrameClient client = connect()) {
            Http2Settings settings = client.serverSettings();
            assertThat(settings.maxConcurrentStreams()).isEqualTo(MAX_CONCURRENT_STREAMS);
            assertThat(settings.maxHeaderListSize()).isEqualTo(MAX_HEADER_LIST_SIZE);

            List<Integer> admitted = new ArrayList<>();
            for (int i = 0; i < MAX_CONCURRENT_STREAMS; i++) {
                admitted.add(client.request("GET", HOST, "/held/" + i, Map.of(), true));
            }
            client.flush();
            // All of them in progress upstream: the next streams find the connection at its limit.
            await().atMost(WAIT).until(() -> backend.held() == MAX_CONCURRENT_STREAMS);

            List<Integer> refused = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                refused.add(client.request("GET", HOST, "/over/" + i, Map.of(), true));
            }
            client.flush();
            for (int streamId : refused) {
                Event outcome = client.outcome(streamId);
                assertThat(outcome).as("stream %d past the limit", streamId).isInstanceOf(Reset.class);
                assertThat(((Reset) outcome).errorCode()).isEqualTo(Http2Error.REFUSED_STREAM.code());
            }

            backend.release();
            for (int streamId : admitted) {
                assertThat(client.response(streamId).status()).as("stream %d", streamId).isEqualTo(200);
            }
            assertThat(client.get(HOST, "/after").status()).isEqualTo(200);
        }
    }

    @Test
    void aHeaderListUpToTheLimitIsServedAndALargerOneRefused() throws Exception {
        try (Http2FrameClient client = connect()) {
            Response within = client.get(HOST, "/headers", Map.of("x-large", "a".repeat(MAX_HEADER_LIST_SIZE - 1024)));
            assertThat(within.status()).isEqualTo(200);
            assertThat(within.body()).isEqualTo(HeldBackend.NAME);

            int streamId = client.request("GET", HOST, "/headers", Map.of("x-large",
                    "a".repeat(MAX_HEADER_LIST_SIZE + 1024)), true);
            client.flush();
            Event refused = client.outcome(streamId);
            assertThat(refused).isInstanceOf(Headers.class);
            assertThat(((Headers) refused).status()).isEqualTo(431);
            assertThat(client.get(HOST, "/after").status()).as("the connection stays usable").isEqualTo(200);
        }
    }

    @Test
    void aRapidResetClientIsClosedWhileAWellBehavedConnectionIsServed() throws Exception {
        double closedBefore = floodCloses("resets");
        try (Http2FrameClient wellBehaved = connect(); Http2FrameClient attacker = connect()) {
            assertThat(wellBehaved.get(HOST, "/before").status()).isEqualTo(200);

            for (int i = 0; i < 1000 && !attacker.goneAway(); i++) {
                int streamId = attacker.request("GET", HOST, "/reset/" + i, Map.of(), true);
                attacker.reset(streamId, Http2Error.CANCEL);
                if (i % 50 == 49) {
                    attacker.flush();
                    assertThat(wellBehaved.get(HOST, "/during/" + i).status()).isEqualTo(200);
                }
            }
            attacker.flush();

            assertGoAwayAndClosed(attacker);
            for (int i = 0; i < 20; i++) {
                assertThat(wellBehaved.get(HOST, "/after/" + i).status()).isEqualTo(200);
            }
        }
        await().atMost(WAIT).until(() -> floodCloses("resets") > closedBefore);
    }

    @Test
    void pingAndSettingsFloodsCloseTheirConnectionOnly() throws Exception {
        double closedBefore = floodCloses("control-frames");
        try (Http2FrameClient wellBehaved = connect();
             Http2FrameClient pings = connect();
             Http2FrameClient settings = connect()) {
            for (int i = 0; i < 1000 && !pings.goneAway(); i++) {
                pings.ping(i);
                if (i % 100 == 99) {
                    pings.flush();
                }
            }
            pings.flush();
            for (int i = 0; i < 1000 && !settings.goneAway(); i++) {
                settings.settings();
                if (i % 100 == 99) {
                    settings.flush();
                }
            }
            settings.flush();

            assertGoAwayAndClosed(pings);
            assertGoAwayAndClosed(settings);
            for (int i = 0; i < 20; i++) {
                assertThat(wellBehaved.get(HOST, "/after/" + i).status()).isEqualTo(200);
            }
        }
        await().atMost(WAIT).until(() -> floodCloses("control-frames") >= closedBefore + 2);
    }

    /**
     * The server closed the connection, after a GOAWAY ENHANCE_YOUR_CALM if the client got to read it: frames the
     * client still had in flight make the server's kernel answer them with a TCP reset, which may discard the GOAWAY
     * before the client reads it. The flood-close counter tells which limit closed it.
     */
    static void assertGoAwayAndClosed(Http2FrameClient client) {
        client.awaitEvent(Closed.class::isInstance, "connection closed");
        assertThat(client.events()).filteredOn(GoAway.class::isInstance)
                .allSatisfy(goAway -> assertThat(((GoAway) goAway).errorCode())
                        .isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code()));
    }

    double floodCloses(String reason) {
        FunctionCounter counter = registry.find("ingress.gateway.http2.flood.closes").tag("reason", reason)
                .functionCounter();
        return counter == null ? 0 : counter.count();
    }
}
