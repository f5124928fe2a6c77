package io.ingressgateway.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.DelayingBackend;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.Objects.IngressSpecBuilder;
import io.ingressgateway.support.SteadyReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The upstream guards end to end: the real gateway against a CRUD API server and real backends on loopback. The
 * circuit breaker's window and wait are made small here so each test takes seconds; each test has its own Ingress,
 * so its own guards.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        // Reads each route's guard in /actuator/ingresses.
        "ingress-gateway.ops.ingresses-detail=full",
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.resilience.circuit-breaker.sliding-window-size=4",
        "ingress-gateway.resilience.circuit-breaker.minimum-number-of-calls=4",
        "ingress-gateway.resilience.circuit-breaker.slow-call-rate-threshold=50",
        "ingress-gateway.resilience.circuit-breaker.wait-duration-in-open-state=2s",
        "ingress-gateway.resilience.circuit-breaker.permitted-calls-in-half-open-state=1",
        "ingress-gateway.resilience.retry-after=3s",
        // Pools are per endpoint and every test has its own backends: this bounds only what a test makes it bound.
        "ingress-gateway.resilience.upstream-pool.max-connections=4",
        "ingress-gateway.resilience.upstream-pool.max-pending-acquires=1",
        // Long enough that the request waiting for a connection in the pool test never gives up on a loaded machine.
        "ingress-gateway.resilience.upstream-pool.pending-acquire-timeout=60s"})
@DirtiesContext
class ResilienceIT {

    static final String NS = "guards";
    static final ApiServer api = new ApiServer();
    static final List<WireMockServer> backends = new ArrayList<>();
    static final List<DelayingBackend> delayingBackends = new ArrayList<>();

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
        backends.forEach(WireMockServer::stop);
        delayingBackends.forEach(DelayingBackend::close);
        api.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry meters;

    HttpClient client;
    WebTestClient management;

    @BeforeEach
    void ready() {
        client = HttpClient.create().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(10));
        management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(10)).build();
        await().atMost(Duration.ofSeconds(20)).until(() -> management.get().uri("/actuator/health/readiness")
                .exchange().returnResult(String.class).getStatus().value() == 200);
    }

    // ---- helpers ----

    record Reply(int status, Map<String, String> headers, String body) {
    }

    static WireMockServer backend() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        backends.add(server);
        return server;
    }

    /** An upstream that can hold the requests it receives; its answers are 200 with its name. */
    static DelayingBackend delayingBackend(String name) {
        DelayingBackend server = new DelayingBackend(name, Duration.ZERO);
        delayingBackends.add(server);
        return server;
    }

    static IngressSpecBuilder ingressFor(String name, String host, String serviceName) {
        return ingress(NS, name).className("ingress-gateway")
                .rules(rule(host, path("Prefix", "/", serviceBackend(serviceName, 80))));
    }

    Mono<Reply> send(HttpMethod method, String host, String path, String body) {
        return client.headers(h -> h.set(HttpHeaderNames.HOST, host))
                .request(method).uri(path)
                .send(body == null ? Mono.empty() : ByteBufFlux.fromString(Mono.just(body)))
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> {
                            Map<String, String> headers = new java.util.HashMap<>();
                            response.responseHeaders().forEach(e -> headers.put(e.getKey().toLowerCase(),
                                    e.getValue()));
                            return new Reply(response.status().code(), headers, text);
                        }));
    }

    Reply get(String host, String path) {
        return send(HttpMethod.GET, host, path, null).block(Duration.ofSeconds(15));
    }

    /**
     * Serves an Ingress whose only rule sends {@code host} to Service {@code serviceName}, whose endpoints are the
     * given loopback ports. The endpoints are published only once the gateway routes the host (answering 503 for
     * lack of endpoints), so waiting for the route never sends a request to a backend.
     */
    void serve(Ingress ingress, String host, String serviceName, int... ports) {
        api.apply(service(NS, serviceName, port("http", 80, 8080)));
        api.apply(ingress);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> get(host, "/").status() == 503);
        for (int i = 0; i < ports.length; i++) {
            api.apply(endpointSlice(NS, serviceName, serviceName + "-" + i, "http", ports[i], true));
        }
        UpstreamKey upstreamKey = new UpstreamKey(NS, serviceName, "80");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() ->
                routeModel.upstream(upstreamKey) != null
                        && routeModel.upstream(upstreamKey).endpoints().size() == ports.length);
    }

    @Autowired
    GatewayRouteModel routeModel;

    UpstreamGuard guardOf(String ingressName) {
        return upstreamGuards.activeGuards().values().stream()
                .filter(g -> g.key().ingress() != null && g.key().ingress().name().equals(ingressName))
                .findFirst().orElse(null);
    }

    @Autowired
    UpstreamGuards upstreamGuards;

    double counter(String name, String ingressName, String tagKey, String tagValue) {
        Counter counter = meters.find(UpstreamGuard.METER_PREFIX + name).tag("ingress", ingressName)
                .tag(tagKey, tagValue).counter();
        if (counter != null) {
            return counter.count();
        }
        FunctionCounter counted = meters.find(UpstreamGuard.METER_PREFIX + name).tag("ingress", ingressName)
                .tag(tagKey, tagValue).functionCounter();
        return counted == null ? 0 : counted.count();
    }

    WebTestClient.BodyContentSpec ingressView(String name) {
        return management.get().uri("/actuator/ingresses/" + NS + "/" + name).accept(MediaType.APPLICATION_JSON)
                .exchange().expectStatus().isOk().expectBody();
    }

    // ---- timeouts ----

    @Test
    void readTimeoutAnswers504OnlyWhereAnAnnotationShortensIt() {
        WireMockServer slow = backend();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(1500)));
        serve(ingressFor("read-short", "short.read.test", "slow-a")
                .annotation("ingress-gateway.io/read-timeout", "300ms").build(), "short.read.test", "slow-a",
                slow.port());
        serve(ingressFor("read-nginx", "nginx.read.test", "slow-b")
                .annotation("nginx.ingress.kubernetes.io/proxy-read-timeout", "1").build(), "nginx.read.test",
                "slow-b", slow.port());
        serve(ingressFor("read-default", "default.read.test", "slow-c").build(), "default.read.test", "slow-c",
                slow.port());

        Reply shortened = get("short.read.test", "/");
        assertThat(shortened.status()).isEqualTo(504);
        assertThat(shortened.body()).contains("did not answer in time");
        assertThat(get("nginx.read.test", "/").status()).isEqualTo(504);
        // The default (60 s) waits for the same backend.
        Reply waited = get("default.read.test", "/");
        assertThat(waited.status()).isEqualTo(200);
        assertThat(waited.body()).isEqualTo("late");

        assertThat(counter("timeouts", "read-short", "kind", "read")).isEqualTo(1);
        assertThat(counter("timeouts", "read-nginx", "kind", "read")).isEqualTo(1);
        assertThat(counter("timeouts", "read-default", "kind", "read")).isZero();
    }

    @Test
    void invalidAnnotationIsADiagnosticAndTheDefaultApplies() {
        WireMockServer slow = backend();
        slow.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("late").withFixedDelay(700)));
        serve(ingressFor("read-invalid", "invalid.read.test", "slow-invalid")
                .annotation("ingress-gateway.io/read-timeout", "soon")
                .annotation("ingress-gateway.io/max-concurrent-requests", "7").build(), "invalid.read.test",
                "slow-invalid", slow.port());

        // "soon" is not a duration: the 60 s default applies, so the slow answer arrives.
        assertThat(get("invalid.read.test", "/").status()).isEqualTo(200);
        ingressView("read-invalid")
                .jsonPath("$.diagnostics[0].severity").isEqualTo("WARNING")
                .jsonPath("$.diagnostics[0].field").isEqualTo("metadata.annotations['ingress-gateway.io/read-timeout']")
                .jsonPath("$.diagnostics[0].message").value(message -> assertThat((String) message).contains("'soon'"))
                .jsonPath("$.routes[0].guard.limit").isEqualTo(7)
                .jsonPath("$.routes[0].guard.policy.maxConcurrentRequests").isEqualTo(7)
                .jsonPath("$.routes[0].guard.policy.readTimeout").isEqualTo("60s")
                .jsonPath("$.routes[0].guard.policy.connectTimeout").isEqualTo("5s")
                .jsonPath("$.routes[0].guard.policy.sendTimeout").isEqualTo("60s")
                .jsonPath("$.routes[0].guard.circuitState").isEqualTo("CLOSED")
                .jsonPath("$.routes[0].guard.inFlight").isEqualTo(0);
        assertThat(guardOf("read-invalid").policy().readTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void connectTimeoutAnswers504() throws IOException {
        // A listener that never accepts, with its accept queue (backlog 1) already full: Linux then drops further
        // SYNs, so a connection attempt hangs in SYN-SENT until the client gives up.
        try (ServerSocket blackhole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = fill(blackhole);
            try {
                serve(ingressFor("connect-short", "connect.test", "blackhole")
                        .annotation("ingress-gateway.io/connect-timeout", "300ms")
                        .annotation("ingress-gateway.io/retries", "1").build(), "connect.test", "blackhole",
                        blackhole.getLocalPort());

                Reply reply = get("connect.test", "/");

                assertThat(reply.status()).isEqualTo(504);
                assertThat(reply.body()).contains("did not accept a connection in time");
                // The first attempt and its one retry (to the only endpoint there is) both timed out.
                assertThat(counter("timeouts", "connect-short", "kind", "connect")).isEqualTo(2);
                assertThat(counter("retries", "connect-short", "service", "blackhole")).isEqualTo(1);
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    /** Opens connections the listener never accepts until the kernel stops completing handshakes. */
    private static List<Socket> fill(ServerSocket listener) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 200);
                sockets.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return sockets;
            }
        }
        throw new IllegalStateException("the listener's accept queue never filled; cannot simulate a hanging connect");
    }

    @Test
    void sendTimeoutAnswers504WhenTheUpstreamStopsReadingButNotWhenItReadsSlowlyAndSteadily() throws Exception {
        // A backend that accepts and never reads, with a small receive buffer: once the loopback's buffers are full
        // the gateway's writes of the request body make no progress.
        try (ServerSocket deaf = new ServerSocket();
             SteadyReader steady = new SteadyReader(64 * 1024, Duration.ofMillis(10))) {
            deaf.setReceiveBufferSize(4096);
            deaf.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (!deaf.isClosed()) {
                        held.add(deaf.accept());
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            }, "deaf-backend");
            acceptor.setDaemon(true);
            acceptor.start();
            try {
                serve(ingressFor("send-short", "short.send.test", "deaf")
                        .annotation("nginx.ingress.kubernetes.io/proxy-send-timeout", "1")
                        .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "0").build(), "short.send.test",
                        "deaf", deaf.getLocalPort());
                serve(ingressFor("send-steady", "steady.send.test", "steady")
                        .annotation("nginx.ingress.kubernetes.io/proxy-send-timeout", "2")
                        .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "0").build(), "steady.send.test",
                        "steady", steady.port());

                // Far more than the socket buffers of both ends hold (Linux grows a send buffer to 4 MiB at most).
                CompletableFuture<Reply> stuck = upload("short.send.test", 64).toFuture();
                await().atMost(Duration.ofSeconds(30)).until(stuck::isDone);
                Reply reply = stuck.get();
                assertThat(reply.status()).isEqualTo(504);
                assertThat(reply.body()).contains("did not take the request in time");
                assertThat(counter("timeouts", "send-short", "kind", "send")).isEqualTo(1);
                assertThat(guardOf("send-short").policy().sendTimeout()).isEqualTo(Duration.ofSeconds(1));
                ingressView("send-short").jsonPath("$.routes[0].guard.policy.sendTimeout").isEqualTo("1s");

                // A 2 s timeout towards an upstream that takes 64 KiB every 10 ms: the upload lasts longer than the
                // timeout (at most 6.4 MiB/s for 32 MiB, less what the buffers hold), yet it keeps moving, so it goes
                // through whole, as under nginx's proxy_send_timeout. (The gateway sees progress each time about a
                // third of its socket's send buffer, at most 4 MiB, has drained: about 0.2 s at this pace.)
                long started = System.nanoTime();
                CompletableFuture<Reply> slow = upload("steady.send.test", 32).toFuture();
                await().atMost(Duration.ofSeconds(60)).until(slow::isDone);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(slow.get().status()).isEqualTo(200);
                assertThat(steady.bodyBytes()).isEqualTo(32L * MIB);
                assertThat(took).as("the upload must outlast the send timeout for this test to show anything")
                        .isGreaterThan(Duration.ofSeconds(2));
                assertThat(counter("timeouts", "send-steady", "kind", "send")).isZero();
            } finally {
                for (Socket socket : held) {
                    socket.close();
                }
                deaf.close();
                acceptor.join(5_000);
            }
        }
    }

    private static final int MIB = 1024 * 1024;

    /** A POST of {@code mebibytes} MiB streamed in 64 KiB chunks, never held whole by the client. */
    Mono<Reply> upload(String host, int mebibytes) {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        return client.responseTimeout(Duration.ofSeconds(60)).headers(h -> h.set(HttpHeaderNames.HOST, host))
                .post().uri("/upload")
                .send(Flux.range(0, mebibytes * 16).map(i -> io.netty.buffer.Unpooled.wrappedBuffer(chunk)))
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> new Reply(response.status().code(), Map.of(), text)));
    }

    // ---- bulkhead ----

    @Test
    void bulkheadRejectsWhatExceedsTheCapAtOnceAndReleasesEveryPlace() {
        DelayingBackend slow = delayingBackend("bulkhead");
        serve(ingressFor("bulkhead", "bulkhead.test", "bulkhead")
                .annotation("ingress-gateway.io/max-concurrent-requests", "2").build(), "bulkhead.test", "bulkhead",
                slow.port());

        // The upstream holds what it receives until every request has been let through or turned away, so the
        // two let through are in progress however late the others reach the gateway.
        slow.hold();
        CompletableFuture<List<Reply>> sent = Flux.range(0, 6)
                .flatMap(i -> send(HttpMethod.GET, "bulkhead.test", "/" + i, null), 6)
                .collectList().toFuture();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                counter("rejections", "bulkhead", "reason", "bulkhead") == 4 && slow.inProgress() == 2);
        assertThat(guardOf("bulkhead").inFlight()).isEqualTo(2);
        slow.release();
        List<Reply> replies = sent.orTimeout(15, TimeUnit.SECONDS).join();

        assertThat(replies).extracting(Reply::status).containsOnly(200, 503);
        assertThat(replies).filteredOn(r -> r.status() == 200).hasSize(2);
        assertThat(replies).filteredOn(r -> r.status() == 503).hasSize(4).allSatisfy(reply -> {
            assertThat(reply.headers()).containsEntry("retry-after", "3");
            assertThat(reply.body()).contains("too many requests in progress");
        });
        assertThat(slow.requests()).isEqualTo(2);
        assertThat(counter("rejections", "bulkhead", "reason", "bulkhead")).isEqualTo(4);
        // A place is given back once the response is over for the gateway, which may be just after the client has it.
        await().atMost(Duration.ofSeconds(30)).until(() -> guardOf("bulkhead").inFlight() == 0);

        // Clients that give up mid-request (disconnect) give their places back too.
        slow.hold();
        HttpClient impatient = HttpClient.create(ConnectionProvider.newConnection())
                .baseUrl("http://127.0.0.1:" + port);
        Disposable.Composite givingUp = Disposables.composite();
        for (int i = 0; i < 2; i++) {
            givingUp.add(impatient.headers(h -> h.set(HttpHeaderNames.HOST, "bulkhead.test"))
                    .get().uri("/impatient").responseSingle((r, b) -> b.asString())
                    .subscribe(body -> { }, error -> { }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.inProgress() == 2);
        assertThat(guardOf("bulkhead").inFlight()).isEqualTo(2);
        givingUp.dispose();
        await().atMost(Duration.ofSeconds(30)).until(() -> guardOf("bulkhead").inFlight() == 0);
        slow.release();
        ingressView("bulkhead").jsonPath("$.routes[0].guard.inFlight").isEqualTo(0)
                .jsonPath("$.routes[0].guard.policy.maxConcurrentRequests").isEqualTo(2)
                .jsonPath("$.routes[0].guard.limit").isEqualTo(2);
        List<Reply> after = Flux.range(0, 2).flatMap(i -> send(HttpMethod.GET, "bulkhead.test", "/after", null), 2)
                .collectList().block(Duration.ofSeconds(10));
        assertThat(after).extracting(Reply::status).containsExactly(200, 200);
    }

    // ---- connection pool ----

    @Test
    void requestsBeyondTheConnectionPoolAndItsWaitQueueAreAnswered503AtOnce() {
        DelayingBackend slow = delayingBackend("pooled");
        serve(ingressFor("pool", "pool.test", "pooled")
                .annotation("ingress-gateway.io/max-concurrent-requests", "100").build(), "pool.test", "pooled",
                slow.port());

        slow.hold();
        CompletableFuture<List<Reply>> sent = Flux.range(0, 8)
                .flatMap(i -> send(HttpMethod.GET, "pool.test", "/" + i, null), 8)
                .collectList().toFuture();
        // Four connections, one request waiting for one of them, and the rest turned away without waiting.
        // (A turned-away request is counted before it gives its bulkhead place back: wait for both.)
        await().atMost(Duration.ofSeconds(30)).until(() ->
                counter("rejections", "pool", "reason", "pool") == 3 && slow.inProgress() == 4
                        && guardOf("pool").inFlight() == 5);
        slow.release();
        List<Reply> replies = sent.orTimeout(15, TimeUnit.SECONDS).join();

        assertThat(replies).extracting(Reply::status).containsOnly(200, 503);
        assertThat(replies).filteredOn(r -> r.status() == 200).hasSize(5);
        assertThat(replies).filteredOn(r -> r.status() == 503).hasSize(3).allSatisfy(reply -> {
            assertThat(reply.headers()).containsEntry("retry-after", "3");
            assertThat(reply.body()).contains("Too many requests are waiting");
        });
        assertThat(slow.requests()).isEqualTo(5);
        assertThat(slow.maxInProgress()).isEqualTo(4);
        assertThat(counter("rejections", "pool", "reason", "pool")).isEqualTo(3);
        // The gateway's own limit says nothing about the upstream's health.
        assertThat(guardOf("pool").circuitState().name()).isEqualTo("CLOSED");
        await().atMost(Duration.ofSeconds(30)).until(() -> guardOf("pool").inFlight() == 0);
    }

    // ---- circuit breaker ----

    @Test
    void circuitOpensOnFailuresAnswers503WithoutCallingTheUpstreamAndClosesAfterRecovery() {
        WireMockServer failing = backend();
        failing.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503).withBody("upstream down")));
        serve(ingressFor("failing", "failing.test", "failing").build(), "failing.test", "failing", failing.port());

        for (int i = 0; i < 4; i++) {
            assertThat(get("failing.test", "/").body()).isEqualTo("upstream down");
        }
        assertThat(guardOf("failing").circuitState().name()).isEqualTo("OPEN");
        assertOpenCircuitAnswersAlone("failing", "failing.test", failing);

        failing.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("back")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("failing.test", "/").status() == 200);
        assertThat(guardOf("failing").circuitState().name()).isEqualTo("CLOSED");
        ingressView("failing").jsonPath("$.routes[0].guard.circuitState").isEqualTo("CLOSED");
    }

    @Test
    void circuitOpensOnSlowCallsAndClosesWhenTheUpstreamIsFastAgain() {
        WireMockServer sluggish = backend();
        sluggish.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("slow").withFixedDelay(300)));
        serve(ingressFor("sluggish", "sluggish.test", "sluggish")
                .annotation("ingress-gateway.io/circuit-breaker-slow-call-duration", "100ms").build(),
                "sluggish.test", "sluggish", sluggish.port());

        for (int i = 0; i < 4; i++) {
            assertThat(get("sluggish.test", "/").status()).isEqualTo(200);
        }
        assertThat(guardOf("sluggish").circuitState().name()).isEqualTo("OPEN");
        assertThat(counter("circuit.calls", "sluggish", "outcome", "slow_success")).isEqualTo(4);
        assertOpenCircuitAnswersAlone("sluggish", "sluggish.test", sluggish);

        sluggish.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("fast")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> "fast".equals(get("sluggish.test", "/").body()));
        assertThat(guardOf("sluggish").circuitState().name()).isEqualTo("CLOSED");
    }

    private void assertOpenCircuitAnswersAlone(String ingressName, String host, WireMockServer backend) {
        long seen = backend.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
        ingressView(ingressName).jsonPath("$.routes[0].guard.circuitState").isEqualTo("OPEN");
        for (int i = 0; i < 3; i++) {
            Reply reply = get(host, "/");
            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.headers()).containsEntry("retry-after", "2");
            assertThat(reply.body()).contains("not sending it requests");
        }
        assertThat(backend.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount())
                .as("requests reaching the upstream while its circuit is open").isEqualTo(seen);
        assertThat(counter("rejections", ingressName, "reason", "circuit_open")).isGreaterThanOrEqualTo(3);
    }

    // ---- retries ----

    @Test
    void idempotentRequestsAreRetriedOnAnotherEndpointWhenAConnectionIsRefusedButRequestsWithABodyAreNot()
            throws IOException {
        int refusing = unusedPort();
        WireMockServer live = backend();
        serve(ingressFor("retries", "retries.test", "half-dead")
                // The refused POSTs below are failures; keep this circuit closed through them.
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "retries.test",
                "half-dead", refusing, live.port());

        for (int i = 0; i < 4; i++) {
            Reply reply = get("retries.test", "/get-" + i);
            assertThat(reply.status()).as("GET %d", i).isEqualTo(200);
        }
        // Round robin sent half of them to the refusing endpoint first; each was retried on the live one.
        assertThat(counter("retries", "retries", "service", "half-dead")).isEqualTo(2);
        assertThat(live.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount()).isEqualTo(4);

        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            posts.add(send(HttpMethod.POST, "retries.test", "/post-" + i, "payload-" + i)
                    .block(Duration.ofSeconds(10)).status());
        }
        assertThat(posts).containsOnly(200, 502);
        assertThat(posts).filteredOn(status -> status == 502).hasSize(2);
        // Only the POSTs that were answered reached the upstream: none was sent twice.
        assertThat(live.countRequestsMatching(postRequestedFor(anyUrl()).build()).getCount()).isEqualTo(2);
        assertThat(counter("retries", "retries", "service", "half-dead")).isEqualTo(2);
    }

    /**
     * As nginx, whose default {@code error timeout} passes on any request not yet sent: a POST that could not even
     * connect (a pod that just stopped, before the endpoints update) goes to another endpoint, without
     * {@code non_idempotent}. With a body it is still never retried (the test above): the body is read once.
     */
    @Test
    void aPostWithoutBodyWhoseConnectionIsRefusedIsRetriedOnAnotherEndpointUnderTheDefaultConditions()
            throws IOException {
        int refusing = unusedPort();
        WireMockServer live = backend();
        serve(ingressFor("connect-post", "connectpost.test", "half-dead-connect")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "connectpost.test",
                "half-dead-connect", refusing, live.port());

        for (int i = 0; i < 4; i++) {
            assertThat(send(HttpMethod.POST, "connectpost.test", "/post-" + i, null).block(Duration.ofSeconds(10))
                    .status()).as("POST %d", i).isEqualTo(200);
        }
        assertThat(counter("retries", "connect-post", "service", "half-dead-connect")).isEqualTo(2);
        assertThat(live.countRequestsMatching(postRequestedFor(anyUrl()).build()).getCount()).isEqualTo(4);
    }

    /** A backend whose every answer is {@code status}, with a header that must not reach a client it is retried for. */
    static WireMockServer answering(int status, Duration delay) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status).withHeader("X-Dropped", "yes")
                .withFixedDelay((int) delay.toMillis()).withBody("answer " + status)));
        backends.add(server);
        return server;
    }

    @Test
    void proxyNextUpstreamListedStatusesAreRetriedOnTheNextEndpointAndTheDroppedAnswerNeverReachesTheClient() {
        WireMockServer unavailable = answering(503, Duration.ZERO);
        WireMockServer live = backend();
        serve(ingressFor("next-503", "next503.test", "flaky")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "error timeout http_503")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "next503.test",
                "flaky", unavailable.port(), live.port());

        for (int i = 0; i < 4; i++) {
            Reply reply = get("next503.test", "/get-" + i);
            assertThat(reply.status()).as("GET %d", i).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("ok");
            assertThat(reply.headers()).doesNotContainKey("x-dropped");
        }
        // Round robin sent half of them to the 503 endpoint first; each was answered by the live one instead.
        assertThat(unavailable.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount()).isEqualTo(2);
        assertThat(live.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount()).isEqualTo(4);
        assertThat(counter("retries", "next-503", "service", "flaky")).isEqualTo(2);
        ingressView("next-503").jsonPath("$.routes[0].guard.policy.nextUpstream").isEqualTo("error timeout http_503");

        // A request with a body is never sent twice: the 503 goes through to the client as it came.
        List<Integer> posts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            posts.add(send(HttpMethod.PUT, "next503.test", "/put-" + i, "payload").block(Duration.ofSeconds(10))
                    .status());
        }
        assertThat(posts).containsExactlyInAnyOrder(200, 503);
        assertThat(counter("retries", "next-503", "service", "flaky")).isEqualTo(2);
    }

    @Test
    void proxyNextUpstreamOffOrOneTryRetriesNothingAndNonIdempotentRetriesABodilessPost() throws IOException {
        int refusingOff = unusedPort();
        WireMockServer liveOff = backend();
        serve(ingressFor("next-off", "nextoff.test", "half-dead-off")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "off")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "nextoff.test",
                "half-dead-off", refusingOff, liveOff.port());
        int refusingOne = unusedPort();
        WireMockServer liveOne = backend();
        serve(ingressFor("next-one", "nextone.test", "half-dead-one")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream-tries", "1")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "nextone.test",
                "half-dead-one", refusingOne, liveOne.port());
        int refusingPost = unusedPort();
        WireMockServer livePost = backend();
        serve(ingressFor("next-post", "nextpost.test", "half-dead-post")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "error non_idempotent")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "nextpost.test",
                "half-dead-post", refusingPost, livePost.port());

        for (String host : List.of("nextoff.test", "nextone.test")) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(get(host, "/get-" + i).status());
            }
            assertThat(statuses).as(host).containsExactlyInAnyOrder(200, 200, 502, 502);
        }
        assertThat(counter("retries", "next-off", "service", "half-dead-off")).isZero();
        assertThat(counter("retries", "next-one", "service", "half-dead-one")).isZero();
        assertThat(guardOf("next-one").policy().retries()).isZero();

        for (int i = 0; i < 4; i++) {
            assertThat(send(HttpMethod.POST, "nextpost.test", "/post-" + i, null).block(Duration.ofSeconds(10))
                    .status()).as("POST %d", i).isEqualTo(200);
        }
        assertThat(counter("retries", "next-post", "service", "half-dead-post")).isEqualTo(2);
        assertThat(livePost.countRequestsMatching(postRequestedFor(anyUrl()).build()).getCount()).isEqualTo(4);
    }

    @Test
    void proxyNextUpstreamTimeoutStopsRetriesOnceItHasPassed() {
        // The 503 comes after 1.5 s, past the 1 s budget: it is not retried, whereas it would be without the budget.
        WireMockServer late = answering(503, Duration.ofMillis(1500));
        WireMockServer live = backend();
        serve(ingressFor("next-budget", "nextbudget.test", "late")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream", "http_503")
                .annotation("nginx.ingress.kubernetes.io/proxy-next-upstream-timeout", "1")
                .annotation("ingress-gateway.io/circuit-breaker-failure-rate", "100").build(), "nextbudget.test",
                "late", late.port(), live.port());

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            statuses.add(get("nextbudget.test", "/get-" + i).status());
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 503);
        assertThat(counter("retries", "next-budget", "service", "late")).isZero();
        assertThat(guardOf("next-budget").policy().nextUpstreamTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
