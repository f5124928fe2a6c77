package io.ingressgateway.edge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.NoBlockingOnEventLoops.Violation;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The data plane's event loops on the real gateway: native epoll where the platform has it, and no blocking call on
 * them while serving proxied requests, 404s and generated request ids (checked by BlockHound after every test).
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class DataPlaneEventLoopsIT {

    /** A request carrying this header makes the test filter below block its event loop. */
    static final String BLOCK_HEADER = "X-Test-Block-Event-Loop";

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @TestConfiguration
    static class BlockingFilter {

        /** Sleeps on the event loop when asked to: what BlockHound must catch. */
        @Bean
        GlobalFilter blockWhenAsked() {
            return (exchange, chain) -> {
                if (exchange.getRequest().getHeaders().containsHeader(BLOCK_HEADER)) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return chain.filter(exchange);
            };
        }
    }

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        EdgeManifests.write(manifests, backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @BeforeEach
    void awaitReady() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.probe(managementPort, "/actuator/health/readiness").status() == 200);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> Requests.get(port, EdgeManifests.HOST, "/", Duration.ofSeconds(5)).status() == 200);
    }

    @Test
    void theListenerAndTheUpstreamClientRunOnNativeEpollWhereAvailable() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
                "the native transport shipped is for linux-x86_64");
        assertThat(Epoll.isAvailable()).as("epoll unavailable: %s", Epoll.unavailabilityCause()).isTrue();

        assertThat(Requests.get(port, EdgeManifests.HOST, "/epoll", Duration.ofSeconds(5)).status()).isEqualTo(200);

        Set<String> loops = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.startsWith(GatewayEventLoops.SERVER_PREFIX + "-")
                        || name.startsWith(GatewayEventLoops.UPSTREAM_PREFIX + "-"))
                .collect(Collectors.toSet());
        assertThat(loops).anyMatch(name -> name.startsWith("gateway-http-epoll-"))
                .anyMatch(name -> name.startsWith("gateway-upstream-epoll-"))
                .noneMatch(name -> name.contains("-nio-"));
    }

    @Test
    void servingRequestsMakesNoBlockingCallOnTheEventLoops() {
        // Keep-alive connections, concurrent: routed requests (fresh request ids), a client-supplied id, 404s for an
        // unknown host, and more than the upstream pool has idle connections for at first.
        HttpClient client = HttpClient.create();
        List<Integer> statuses = Flux.range(0, 200)
                .flatMap(i -> client.headers(headers -> {
                            headers.set(HttpHeaderNames.HOST, i % 10 == 0 ? "unknown.test" : EdgeManifests.HOST);
                            if (i % 7 == 0) {
                                headers.set("X-Request-ID", "client-id-" + i);
                            }
                        })
                        .get().uri("http://127.0.0.1:" + port + "/items/" + i)
                        .responseSingle((response, body) -> body.then(
                                Mono.just(response.status().code()))), 32)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(statuses).hasSize(200);
        assertThat(statuses.stream().filter(status -> status == 200)).hasSize(180);
        assertThat(statuses.stream().filter(status -> status == 404)).hasSize(20);
    }

    @Test
    void aBlockingCallOnAnEventLoopIsCaught() {
        HttpClient client = HttpClient.create();
        Integer status = client.headers(headers -> headers.set(HttpHeaderNames.HOST, EdgeManifests.HOST)
                        .set(BLOCK_HEADER, "yes"))
                .get().uri("http://127.0.0.1:" + port + "/blocks")
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
                .block(Duration.ofSeconds(10));
        assertThat(status).isEqualTo(200);

        // Drained here so that this test itself passes: the extension would otherwise fail it.
        List<Violation> violations = NoBlockingOnEventLoops.drain();
        assertThat(violations).isNotEmpty();
        assertThat(violations.get(0).thread()).startsWith(GatewayEventLoops.SERVER_PREFIX + "-");
        assertThat(violations.get(0).method()).contains("sleep");
    }
}
