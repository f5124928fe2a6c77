package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.KubeletProbe;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.tls.Http2FrameClient.GoAway;
import io.netty.handler.codec.http2.Http2Error;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The drain on shutdown, on the HTTPS listener's HTTP/2 connections: once shutdown has begun (readiness down), a
 * request on an open connection is still answered, and the connection gets GOAWAY (NO_ERROR, naming that stream as
 * the last one served), so the client opens its next connection elsewhere.
 */
class Http2DrainIT {

    private static final String HOST = "h2.drain.test";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path manifests;

    private final Backend backend = new Backend("web");
    private ConfigurableApplicationContext gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        backend.close();
    }

    @Test
    void duringTheDrainAnHttp2RequestIsAnsweredAndItsConnectionGetsGoAway() throws Exception {
        TlsManifests.write(manifests, backend.port(), List.of(new TlsManifests.TlsHost(HOST, "h2-cert",
                TestCertificates.issue(HOST, KeyFormat.EC_PKCS8, HOST))), List.of());
        gateway = new SpringApplicationBuilder(IngressGatewayApplication.class).run(
                "--server.address=127.0.0.1", "--server.port=0",
                "--management.server.port=0", "--management.server.address=127.0.0.1",
                "--ingress-gateway.source=manifests", "--ingress-gateway.manifests-dir=" + manifests,
                "--ingress-gateway.tls.port=0",
                "--ingress-gateway.shutdown.drain-period=8s");
        int managementPort = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.management.port"));
        int httpsPort = gateway.getBean(HttpsListener.class).port();
        await().atMost(WAIT).until(() -> KubeletProbe.get(managementPort, "/actuator/health/readiness",
                Duration.ofSeconds(1)).status() == 200);

        try (Http2FrameClient client = new Http2FrameClient(httpsPort, HOST)) {
            await().atMost(WAIT).until(() -> client.get(HOST, "/before").status() == 200);
            assertThat(client.goneAway()).isFalse();

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::close);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> KubeletProbe.get(managementPort,
                    "/actuator/health/readiness", Duration.ofSeconds(1)).status() != 200);
            assertThat(stopping).isNotDone();

            int streamId = client.request("GET", HOST, "/draining", java.util.Map.of(), true);
            client.flush();
            assertThat(client.response(streamId).status()).isEqualTo(200);
            GoAway goAway = (GoAway) client.awaitEvent(GoAway.class::isInstance, "GOAWAY");
            assertThat(goAway.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            assertThat(goAway.lastStreamId()).isGreaterThanOrEqualTo(streamId);
            // Sent during the drain, not by the stop that follows.
            assertThat(stopping).isNotDone();
            stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
