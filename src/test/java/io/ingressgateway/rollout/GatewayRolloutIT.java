package io.ingressgateway.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.KubeletProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A rolling restart of the gateway under load loses no request. Clients loop keep-alive requests through a front
 * that, like the gateway's Service, sends each new connection to a ready gateway. Gateway A is shut down as on SIGTERM
 * (its context closed on another thread); once its readiness has dropped, gateway B starts. A keeps serving through
 * its drain, asking every client to reconnect ({@code Connection: close}); reconnected clients reach B; A then stops.
 * No client retries, so a request written to a connection A closed under it would fail.
 */
class GatewayRolloutIT {

    private static final String HOST = "rollout.test";
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int CLIENTS = 4;

    @TempDir
    Path manifests;

    private final Backend backend = new Backend("web");
    private ConfigurableApplicationContext gatewayA;
    private ConfigurableApplicationContext gatewayB;

    @AfterEach
    void stopAll() {
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] {gatewayA, gatewayB}) {
            if (context != null) {
                context.close();
            }
        }
        backend.close();
    }

    @Test
    void rollingRestartOfTheGatewayUnderLoadLosesNoRequest() throws Exception {
        writeManifests(backend.port());
        gatewayA = startGateway();
        ReadyEndpointsFront.Gateway a = gateway("A", gatewayA);
        try (ReadyEndpointsFront front = new ReadyEndpointsFront()) {
            front.add(a);
            await().atMost(PATIENCE).until(() -> front.ready(a));

            long started = System.nanoTime();
            RequestLoad load = new RequestLoad(front.port(), HOST, CLIENTS);
            try {
                await().atMost(PATIENCE).until(() -> load.succeeded() + load.failed() >= 100);

                // SIGTERM: Spring's shutdown hook closes the context; here on another thread, since it returns only
                // once the gateway has stopped.
                CompletableFuture<Void> stopA = CompletableFuture.runAsync(gatewayA::close);
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                        .until(() -> KubeletProbe.get(a.managementPort(), "/actuator/health/readiness",
                                Duration.ofSeconds(1)).status() != 200);
                long beforeB = load.succeeded();

                gatewayB = startGateway();
                ReadyEndpointsFront.Gateway b = gateway("B", gatewayB);
                front.add(b);
                stopA.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                // B serves the load on its own: A is gone.
                long afterA = load.succeeded();
                await().atMost(PATIENCE).until(() -> load.succeeded() >= afterA + 100);

                load.close();
                System.out.printf("GatewayRolloutIT: %d requests in %.1f s, %d failed; %d answers with "
                                + "Connection: close; %d answered before A's readiness dropped; connections %s%n",
                        load.succeeded() + load.failed(), (System.nanoTime() - started) / 1e9, load.failed(),
                        load.closingAnswers(), beforeB, front.connections());
                assertThat(load.failures()).as("failed requests").isEmpty();
                assertThat(load.failed()).isZero();
                // The drain asked A's clients to leave (one answer per connection A held), and B took them.
                assertThat(load.closingAnswers()).isGreaterThanOrEqualTo(CLIENTS);
                assertThat(front.connections()).containsKeys("A", "B");
            } finally {
                load.close();
            }
        }
    }

    private ConfigurableApplicationContext startGateway() {
        return new SpringApplicationBuilder(IngressGatewayApplication.class).run(
                "--server.address=127.0.0.1", "--server.port=0",
                "--management.server.port=0", "--management.server.address=127.0.0.1",
                "--ingress-gateway.source=manifests", "--ingress-gateway.manifests-dir=" + manifests,
                "--ingress-gateway.tls.enabled=false",
                "--ingress-gateway.event-loops.gateway-threads=2", "--ingress-gateway.event-loops.upstream-threads=1",
                // Long enough for the front's probe to see readiness drop and for every client to make one more
                // request on its connection to A, short enough to keep the test cheap.
                "--ingress-gateway.shutdown.drain-period=3s");
    }

    private static ReadyEndpointsFront.Gateway gateway(String name, ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        int managementPort = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.management.port"));
        return new ReadyEndpointsFront.Gateway(name, port, managementPort);
    }

    private void writeManifests(int backendPort) throws IOException {
        Files.writeString(manifests.resolve("rollout.yaml"), """
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
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: web
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %s
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """.formatted(backendPort, HOST));
    }
}
