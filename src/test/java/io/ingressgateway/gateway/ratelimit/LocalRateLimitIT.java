package io.ingressgateway.gateway.ratelimit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.ingressgateway.support.Objects.OUR_CONTROLLER;
import static io.ingressgateway.support.Objects.endpointSlice;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.serviceBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.DelayingBackend;
import io.ingressgateway.support.Objects.IngressSpecBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The per-replica rate limits end to end: the real gateway against the CRUD API server and a backend per Ingress on
 * loopback, with clients on different loopback addresses (127.0.0.1, .2, .3: Linux routes all of 127/8 to the loopback
 * interface, so each is a client address of its own). A refused request is answered by the gateway (503 and
 * {@code Retry-After}, as ingress-nginx's default {@code limit-req-status-code}) and never reaches the upstream; other
 * client addresses and other Ingresses keep their own budgets.
 *
 * <p>Rates are per minute with no or a small burst, so no refill can happen while a test runs (one request per
 * 60 s), however slowly a loaded machine runs it. Each Ingress is first reached from addresses no test asserts on
 * (127.0.1.x), which spends no budget of the addresses the test asserts on.
 */
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes"})
@DirtiesContext
class LocalRateLimitIT {

    static final String NS = "limits";
    /**
     * Warm-up requests come from 127.0.1.x, an address per attempt: an attempt answered 503 before the upstream's
     * endpoints are known has spent its address's budget already.
     */
    static final AtomicInteger WARM_UPS = new AtomicInteger();
    static final ApiServer api = new ApiServer();
    static final List<DelayingBackend> backends = new ArrayList<>();
    static final List<WireMockServer> wireMocks = new ArrayList<>();

    static {
        api.apply(namespace(NS));
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, false));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stop() {
        backends.forEach(DelayingBackend::close);
        wireMocks.forEach(WireMockServer::stop);
        api.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    record Reply(int status, String retryAfter, String body) {
    }

    @Test
    void overTheRequestRateTheGatewayAnswers503WithRetryAfterAndTheUpstreamSeesNothing() {
        // limit-rpm 1 with a burst multiplier of 2: three requests at once, then one a minute.
        Upstream backend = serve(ingressFor("rpm", "rpm.test")
                .annotation("nginx.ingress.kubernetes.io/limit-rpm", "1")
                .annotation("nginx.ingress.kubernetes.io/limit-burst-multiplier", "2"), "rpm");
        for (int i = 0; i < 3; i++) {
            assertThat(get("rpm.test", "127.0.0.1").status()).isEqualTo(200);
        }
        Reply refused = get("rpm.test", "127.0.0.1");
        assertThat(refused.status()).isEqualTo(503);
        // The next request would be admitted once one request's worth (60 s) has drained, less the time since.
        assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, 60L);
        assertThat(refused.body()).contains("Too many requests");
        assertThat(get("rpm.test", "127.0.0.1").status()).isEqualTo(503);
        assertThat(backend.requests()).isEqualTo(3);

        // Another client address has a budget of its own.
        for (int i = 0; i < 3; i++) {
            assertThat(get("rpm.test", "127.0.0.2").status()).isEqualTo(200);
        }
        assertThat(get("rpm.test", "127.0.0.2").status()).isEqualTo(503);
        assertThat(backend.requests()).isEqualTo(6);

        Counter rejected = registry.find(LocalRateLimitFilter.REJECTED)
                .tags("namespace", NS, "ingress", "rpm", "limit", "requests").counter();
        assertThat(rejected).isNotNull();
        assertThat(rejected.count()).isEqualTo(3.0);
    }

    @Test
    void twoIngressesWithTheSameLimitsDoNotShareABudget() {
        Upstream first = serve(ingressFor("first", "first.test")
                .annotation("ingress-gateway.io/limit-rpm", "1")
                .annotation("ingress-gateway.io/limit-burst-multiplier", "0"), "first");
        Upstream second = serve(ingressFor("second", "second.test")
                .annotation("ingress-gateway.io/limit-rpm", "1")
                .annotation("ingress-gateway.io/limit-burst-multiplier", "0"), "second");
        assertThat(get("first.test", "127.0.0.1").status()).isEqualTo(200);
        assertThat(get("first.test", "127.0.0.1").status()).isEqualTo(503);
        assertThat(get("second.test", "127.0.0.1").status()).isEqualTo(200);
        assertThat(get("second.test", "127.0.0.1").status()).isEqualTo(503);
        assertThat(first.requests()).isEqualTo(1);
        assertThat(second.requests()).isEqualTo(1);
    }

    @Test
    void limitWhitelistExemptsItsAddressesOnly() {
        Upstream backend = serve(ingressFor("exempt", "exempt.test")
                .annotation("nginx.ingress.kubernetes.io/limit-rpm", "1")
                .annotation("nginx.ingress.kubernetes.io/limit-burst-multiplier", "0")
                .annotation("nginx.ingress.kubernetes.io/limit-whitelist", "10.0.0.0/8, 127.0.0.3/32"), "exempt");
        for (int i = 0; i < 5; i++) {
            assertThat(get("exempt.test", "127.0.0.3").status()).isEqualTo(200);
        }
        assertThat(get("exempt.test", "127.0.0.1").status()).isEqualTo(200);
        assertThat(get("exempt.test", "127.0.0.1").status()).isEqualTo(503);
        assertThat(backend.requests()).isEqualTo(6);
    }

    @Test
    void anUnreadableWhitelistExemptsNobody() {
        Upstream backend = serve(ingressFor("badlist", "badlist.test")
                .annotation("nginx.ingress.kubernetes.io/limit-rpm", "1")
                .annotation("nginx.ingress.kubernetes.io/limit-burst-multiplier", "0")
                .annotation("nginx.ingress.kubernetes.io/limit-whitelist", "127.0.0.3/32, everyone"), "badlist");
        assertThat(get("badlist.test", "127.0.0.3").status()).isEqualTo(200);
        assertThat(get("badlist.test", "127.0.0.3").status()).isEqualTo(503);
        assertThat(backend.requests()).isEqualTo(1);
    }

    @Test
    void limitConnectionsHoldsTheClientsRequestsInProgressAtTheLimit() {
        Upstream backend = serve(ingressFor("conn", "conn.test")
                .annotation("nginx.ingress.kubernetes.io/limit-connections", "2"), "conn");
        backend.hold();
        List<CompletableFuture<Reply>> held = new ArrayList<>();
        try {
            held.add(getAsync("conn.test", "127.0.0.1"));
            held.add(getAsync("conn.test", "127.0.0.1"));
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.inProgress() == 2);
            // A third request of the same client while two are in progress: refused at once, no Retry-After (when
            // one of the others ends cannot be known).
            Reply refused = get("conn.test", "127.0.0.1");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.retryAfter()).isNull();
            assertThat(refused.body()).contains("in progress");
            // Another client address is not affected.
            held.add(getAsync("conn.test", "127.0.0.2"));
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.inProgress() == 3);
        } finally {
            backend.release();
        }
        for (CompletableFuture<Reply> reply : held) {
            assertThat(reply.join().status()).isEqualTo(200);
        }
        assertThat(backend.requests()).isEqualTo(3);
        // Once they have ended, the client may have two in progress again.
        await().atMost(Duration.ofSeconds(30)).until(() -> get("conn.test", "127.0.0.1").status() == 200);
        Counter rejected = registry.find(LocalRateLimitFilter.REJECTED)
                .tags("namespace", NS, "ingress", "conn", "limit", "connections").counter();
        assertThat(rejected).isNotNull();
        assertThat(rejected.count()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void limitRatePacesTheResponsePastItsFreeKilobytes() {
        // 48 KiB at 8 KiB/s after 8 KiB free: the last 40 KiB take about 5 s (at least 4 s from the first paced
        // piece: a lower bound only, which a loaded machine can only make longer).
        byte[] body = new byte[48 * 1024];
        java.util.Arrays.fill(body, (byte) 'x');
        WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        backend.start();
        wireMocks.add(backend);
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(body)));
        api.apply(service(NS, "paced", port("http", 80, 8080)));
        api.apply(endpointSlice(NS, "paced", "paced-0", "http", backend.port(), true));
        api.apply(ingressFor("paced", "paced.test")
                .annotation("nginx.ingress.kubernetes.io/limit-rate", "8")
                .annotation("nginx.ingress.kubernetes.io/limit-rate-after", "8").build());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> request(port, "paced.test", "127.0.1.1").block(Duration.ofSeconds(60)).status() == 200);

        long start = System.nanoTime();
        Reply paced = get("paced.test", "127.0.0.1");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(paced.status()).isEqualTo(200);
        assertThat(paced.body()).hasSize(body.length);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    }

    // ---- helpers ----

    static IngressSpecBuilder ingressFor(String name, String host) {
        return ingress(NS, name).className("ingress-gateway")
                .rules(rule(host, path("Prefix", "/", serviceBackend(name, 80))));
    }

    /** A GET to {@code host} from the client address {@code from}, on a new connection. */
    Reply get(String host, String from) {
        return request(port, host, from).block(Duration.ofSeconds(60));
    }

    CompletableFuture<Reply> getAsync(String host, String from) {
        return request(port, host, from).toFuture();
    }

    static Mono<Reply> request(int port, String host, String from) {
        return HttpClient.create(ConnectionProvider.newConnection())
                .bindAddress(() -> new InetSocketAddress(from, 0))
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .headers(h -> h.set("Host", host))
                .get().uri("/")
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> new Reply(response.status().code(),
                                response.responseHeaders().get("Retry-After"), text)))
                .onErrorResume(error -> Mono.just(new Reply(-1, null, error.toString())));
    }

    /** Serves an Ingress whose one rule sends its host to a new backend; returns the backend. */
    Upstream serve(IngressSpecBuilder ingress, String name) {
        return serve(api, backends, port, NS, ingress, name);
    }

    static Upstream serve(ApiServer api, List<DelayingBackend> backends, int port, String namespace,
                          IngressSpecBuilder ingress, String name) {
        DelayingBackend backend = new DelayingBackend(name, Duration.ZERO);
        backends.add(backend);
        api.apply(service(namespace, name, port("http", 80, 8080)));
        api.apply(endpointSlice(namespace, name, name + "-0", "http", backend.port(), true));
        api.apply(ingress.build());
        String host = name + ".test";
        // Generous: on a loaded machine the API server's watch and the model's update can take tens of seconds.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> request(port, host, "127.0.1." + (1 + WARM_UPS.getAndIncrement() % 250))
                        .block(Duration.ofSeconds(60)).status() == 200);
        return new Upstream(backend, backend.requests());
    }

    /** A test's backend, its requests counted from after the warm-up. */
    record Upstream(DelayingBackend backend, long warmUpRequests) {

        long requests() {
            return backend.requests() - warmUpRequests;
        }

        int inProgress() {
            return backend.inProgress();
        }

        void hold() {
            backend.hold();
        }

        void release() {
            backend.release();
        }
    }
}
