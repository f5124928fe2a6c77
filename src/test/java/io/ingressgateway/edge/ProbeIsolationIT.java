package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import io.ingressgateway.edge.Requests.Response;
import io.ingressgateway.support.Backend;
import io.ingressgatewaymanagement.ManagementServerEventLoops;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.server.WebFilter;

/**
 * The probe server is isolated from the data plane: the public listener, the upstream client and the management
 * server run on disjoint event-loop threads, and probes keep answering while every
 * gateway event loop is stuck. Liveness reports the stuck loops, readiness does not.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        // Reads the public listener health component's details, which the management port hides by default.
        "management.endpoint.health.show-details=always",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.event-loops.gateway-threads=2",
        "ingress-gateway.event-loops.upstream-threads=2",
        "ingress-gateway.liveness.check-interval=100ms",
        "ingress-gateway.liveness.stall-timeout=1500ms"})
class ProbeIsolationIT {

    @TempDir
    static Path manifests;

    static final Backend backend = new Backend("web");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ThreadLog threads;

    @Autowired
    GatewayEventLoops gatewayLoops;

    @Autowired
    ApplicationContext context;

    /** Thread names seen, by what ran on them. */
    static final class ThreadLog {
        final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

        void record(String what) {
            seen.computeIfAbsent(what, key -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread().getName());
        }

        Set<String> get(String what) {
            return seen.getOrDefault(what, Set.of());
        }
    }

    @TestConfiguration
    static class Observers {

        @Bean
        ThreadLog threadLog() {
            return new ThreadLog();
        }

        /** Runs for every request the gateway routes, on the thread serving it. */
        @Bean
        GlobalFilter recordGatewayThread(ThreadLog log) {
            return (exchange, chain) -> {
                log.record("gateway");
                return chain.filter(exchange);
            };
        }

        /** Runs when the gateway's client sends a request upstream, on the client connection's thread. */
        @Bean
        HttpClientCustomizer recordUpstreamThread(ThreadLog log) {
            return client -> client.doOnRequest((request, connection) -> log.record("upstream"));
        }

        /**
         * Main-context WebFilters also run on the management server; this one records only its requests, which
         * also shows that gateway filters (GlobalFilters) never see them.
         */
        @Bean
        WebFilter recordManagementThread(ThreadLog log) {
            return (exchange, chain) -> {
                if (exchange.getRequest().getPath().value().startsWith("/actuator")) {
                    log.record("management");
                }
                return chain.filter(exchange);
            };
        }
    }

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        EdgeManifests.write(manifests, backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @BeforeEach
    void awaitReady() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> gateway(Duration.ofSeconds(5)).status() == 200);
    }

    @Test
    void publicListenerUpstreamClientAndManagementServerRunOnDisjointThreads() {
        threads.seen.clear();
        for (int i = 0; i < 6; i++) {
            assertThat(gateway(Duration.ofSeconds(5)).body()).isEqualTo("web");
            assertThat(Requests.probe(managementPort, "/actuator/health/liveness").status()).isEqualTo(200);
            assertThat(Requests.probe(managementPort, "/actuator/health/readiness").status()).isEqualTo(200);
        }

        Set<String> gateway = threads.get("gateway");
        Set<String> upstream = threads.get("upstream");
        Set<String> management = threads.get("management");
        assertThat(gateway).isNotEmpty().allMatch(name -> name.startsWith("gateway-http-"), "gateway-http-*");
        assertThat(upstream).isNotEmpty().allMatch(name -> name.startsWith("gateway-upstream-"), "gateway-upstream-*");
        assertThat(management).isNotEmpty().allMatch(name -> name.startsWith("management-http-"), "management-http-*");
        assertThat(gateway).doesNotContainAnyElementsOf(upstream).doesNotContainAnyElementsOf(management);
        assertThat(upstream).doesNotContainAnyElementsOf(management);
    }

    @Test
    void managementLoopsAreConfiguredInTheManagementContextOnly() {
        assertThat(context.getBeanNamesForType(ManagementServerEventLoops.class)).isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .anyMatch(name -> name.startsWith("management-http-"));
    }

    @Test
    void probesAnswerWhileEveryGatewayEventLoopIsStuckAndLivenessReportsIt() throws Exception {
        // Warm the probe path (first requests load classes) so that what follows measures the loops, not the JIT.
        Requests.probe(managementPort, "/actuator/health/liveness");
        Requests.probe(managementPort, "/actuator/health/readiness");

        CountDownLatch release = new CountDownLatch(1);
        List<EventExecutor> executors = new ArrayList<>();
        for (EventLoopGroup group : gatewayLoops.groups().values()) {
            group.forEach(executors::add);
        }
        CountDownLatch allStuck = new CountDownLatch(executors.size());
        try {
            for (EventExecutor executor : executors) {
                executor.execute(() -> {
                    allStuck.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertThat(allStuck.await(10, TimeUnit.SECONDS)).isTrue();

            // The data plane really is stuck: nothing answers on the public port.
            assertThatThrownBy(() -> gateway(Duration.ofMillis(500))).isInstanceOf(RuntimeException.class);

            // Readiness answers 200 throughout; liveness answers (each time, while every gateway loop is stuck) and
            // turns DOWN once the loops have been stuck past the stall timeout.
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(Requests.probe(managementPort, "/actuator/health/readiness").status()).isEqualTo(200);
                Response liveness = Requests.probe(managementPort, "/actuator/health/liveness");
                assertThat(liveness.status()).isIn(200, 503);
                return liveness.status() == 503;
            });
            Response down = Requests.probe(managementPort, "/actuator/health/liveness");
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body()).contains("\"eventLoops\"").contains("stalledLoops").contains("gateway-http")
                    .contains("gateway-upstream");
            assertThat(Requests.probe(managementPort, "/actuator/prometheus").body())
                    .containsPattern("ingress_gateway_event_loop_stall_seconds\\{group=\"gateway-http\"} [1-9]");
        } finally {
            release.countDown();
        }

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/liveness").status() == 200);
        assertThat(gateway(Duration.ofSeconds(5)).status()).isEqualTo(200);
    }

    @Test
    void readinessReportsThePublicListenerAndLivenessOnlyTheEventLoops() {
        Response readiness = Requests.probe(managementPort, "/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(JsonPath.<String>read(readiness.body(), "$.components.publicListener.status")).isEqualTo("UP");
        assertThat(JsonPath.<Integer>read(readiness.body(), "$.components.publicListener.details.port"))
                .isEqualTo(port);
        assertThat(JsonPath.<String>read(readiness.body(), "$.components.routeModel.status")).isEqualTo("UP");

        Response liveness = Requests.probe(managementPort, "/actuator/health/liveness");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(JsonPath.<Map<String, Object>>read(liveness.body(), "$.components"))
                .containsOnlyKeys("eventLoops", "livenessState");
        assertThat(JsonPath.<String>read(liveness.body(), "$.components.eventLoops.status")).isEqualTo("UP");
    }

    private Response gateway(Duration timeout) {
        return Requests.get(port, EdgeManifests.HOST, "/", timeout);
    }
}
