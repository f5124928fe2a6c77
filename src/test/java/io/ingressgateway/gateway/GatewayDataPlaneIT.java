package io.ingressgateway.gateway;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.gateway.filter.GlobalFilterChainWebHandler;
import io.ingressgateway.gateway.metrics.RouteTimerFilter;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.gateway.route.IngressRouteDefinition;
import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.source.ClusterStateSource;
import io.ingressgateway.support.Models;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The data plane end to end: the real gateway on a random port, hand-built route models fed to its listener, real
 * backends on 127.0.0.1.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "spring.main.allow-bean-definition-overriding=true",
        "ingress-gateway.source=manifests",
        // The readiness group names the ops package's health contributor, which this test context may lack.
        "management.endpoint.health.validate-group-membership=false"})
class GatewayDataPlaneIT {

    private static WireMockServer backendA;
    private static WireMockServer backendB;

    @LocalServerPort
    int port;

    @Autowired
    GatewayRouteModel routeModel;

    @Autowired
    RouteLocator routeLocator;

    @Autowired
    RefreshCounter refreshCounter;

    @Autowired
    MeterRegistry meterRegistry;

    @Autowired
    org.springframework.cloud.gateway.handler.FilteringWebHandler filteringWebHandler;

    private WebTestClient client;
    private static final AtomicLong revisions = new AtomicLong();

    @TestConfiguration
    static class TestSources {

        /** Delivers nothing: the test hands models to the gateway itself. */
        @Bean
        ClusterStateSource clusterStateSource() {
            return new ClusterStateSource() {
                @Override
                public void start(Consumer<ClusterSnapshot> listener) {
                }

                @Override
                public boolean synced() {
                    return true;
                }

                @Override
                public String description() {
                    return "test";
                }

                @Override
                public void close() {
                }
            };
        }

        @Bean
        RefreshCounter refreshCounter() {
            return new RefreshCounter();
        }
    }

    static class RefreshCounter implements ApplicationListener<RefreshRoutesEvent> {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void onApplicationEvent(RefreshRoutesEvent event) {
            count.incrementAndGet();
        }
    }

    @BeforeAll
    static void startBackends() {
        backendA = backend("a");
        backendB = backend("b");
    }

    private static WireMockServer backend(String name) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(name)));
        return server;
    }

    @AfterAll
    static void stopBackends() {
        backendA.stop();
        backendB.stop();
    }

    @BeforeEach
    void setUp() {
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(20)).build();
        backendA.resetRequests();
        backendB.resetRequests();
    }

    // ---- model building ----

    private static Endpoint endpoint(WireMockServer server) {
        return new Endpoint("127.0.0.1", server.port());
    }

    private static Upstream upstream(String service, Endpoint... endpoints) {
        return Models.upstream(Models.key("default", service, "80"), endpoints);
    }

    private static Route route(String host, PathMatch path, Upstream upstream) {
        return Models.route(host, path, new IngressRef("default", "web"), upstream.key());
    }

    private static VirtualHost vhost(String host, UpstreamKey defaultKey, Route... routes) {
        return Models.virtualHost(host, defaultKey, routes);
    }

    private void serve(List<VirtualHost> hosts, UpstreamKey defaultKey, Upstream... upstreams) {
        RouteModel model = Models.model(hosts, defaultKey, revisions.incrementAndGet(), upstreams);
        routeModel.onModel(Models.state(model));
        List<String> expectedIds = IngressRouteDefinitions.from(model).stream().map(IngressRouteDefinition::id).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> routeLocator.getRoutes()
                .map(r -> r.getId()).collectList().block().equals(expectedIds));
    }

    private EntityExchangeResult<String> get(String host, String path) {
        return client.get().uri(path).header("Host", host).exchange().expectBody(String.class).returnResult();
    }

    private String body(String host, String path) {
        EntityExchangeResult<String> result = get(host, path);
        return result.getStatus().value() + " " + (result.getStatus().is2xxSuccessful() ? result.getResponseBody() : "");
    }

    // ---- tests ----

    @Test
    void selectsVirtualHostByExactWildcardThenAnyWithoutFallThrough() {
        Upstream a = upstream("a", endpoint(backendA));
        Upstream b = upstream("b", endpoint(backendB));
        serve(List.of(
                vhost("foo.example.com", null, route("foo.example.com", PathMatch.prefix("/foo"), a)),
                vhost("*.example.com", null, route("*.example.com", PathMatch.prefix("/"), b)),
                vhost("", null, route("", PathMatch.prefix("/any"), a))), null, a, b);

        assertThat(body("foo.example.com", "/foo/x")).isEqualTo("200 a");
        assertThat(body("FOO.example.com.:" + port, "/foo")).isEqualTo("200 a");
        // The exact host owns the request: no fall-through to the wildcard's "/" rule.
        assertThat(body("foo.example.com", "/other")).isEqualTo("404 ");
        assertThat(body("x.example.com", "/other")).isEqualTo("200 b");
        // The wildcard owns x.example.com entirely: no fall-through to the any-host rule.
        assertThat(body("x.example.com", "/any")).isEqualTo("200 b");
        assertThat(body("a.b.example.com", "/any/1")).isEqualTo("200 a");
        assertThat(body("example.com", "/any")).isEqualTo("200 a");
        assertThat(body("other.test", "/x")).isEqualTo("404 ");
    }

    @Test
    void matchesExactAndElementWisePrefixPathsLongestFirst() {
        Upstream a = upstream("a", endpoint(backendA));
        Upstream b = upstream("b", endpoint(backendB));
        serve(List.of(vhost("app.test", null,
                route("app.test", PathMatch.prefix("/foo/bar"), a),
                route("app.test", PathMatch.exact("/exact"), a),
                route("app.test", PathMatch.prefix("/foo/"), b))), null, a, b);

        assertThat(body("app.test", "/exact")).isEqualTo("200 a");
        assertThat(body("app.test", "/exact/")).isEqualTo("404 ");
        assertThat(body("app.test", "/Exact")).isEqualTo("404 ");
        assertThat(body("app.test", "/foo")).isEqualTo("200 b");
        assertThat(body("app.test", "/foo/")).isEqualTo("200 b");
        assertThat(body("app.test", "/foobar")).isEqualTo("404 ");
        assertThat(body("app.test", "/foo/bar")).isEqualTo("200 a");
        assertThat(body("app.test", "/foo/bar/baz")).isEqualTo("200 a");
        assertThat(body("app.test", "/foo/barbaz")).isEqualTo("200 b");
    }

    @Test
    void unmatchedRequestsGoToTheVirtualHostDefaultAndOnlyThoseMatchingNoHostToTheModelDefault() {
        Upstream a = upstream("a", endpoint(backendA));
        Upstream b = upstream("b", endpoint(backendB));
        serve(List.of(
                vhost("app.test", b.key(), route("app.test", PathMatch.prefix("/a"), a)),
                vhost("c.test", null, route("c.test", PathMatch.prefix("/c"), b)),
                vhost("d.test", b.key())), a.key(), a, b);

        assertThat(body("app.test", "/a")).isEqualTo("200 a");
        assertThat(body("app.test", "/zzz")).isEqualTo("200 b");
        assertThat(body("d.test", "/zzz")).isEqualTo("200 b");
        assertThat(body("c.test", "/c")).isEqualTo("200 b");
        // A host without a default of its own answers 404: the model's default is for requests matching no host (the
        // translator gives such a host the configured default backend, when there is one).
        assertThat(body("c.test", "/zzz")).startsWith("404");
        assertThat(body("other.test", "/zzz")).isEqualTo("200 a");
    }

    @Test
    void notFoundIsJsonWhenPreferredElseHtml() {
        serve(List.of(), null);

        client.get().uri("/nothing").header("Host", "x.test").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.status").isEqualTo(404)
                .jsonPath("$.error").isEqualTo("Not Found")
                .jsonPath("$.message").isNotEmpty();

        for (String accept : List.of("text/html,application/xhtml+xml,*/*;q=0.8", "*/*", "")) {
            EntityExchangeResult<String> html = client.get().uri("/nothing").header("Host", "x.test")
                    .header("Accept", accept).exchange()
                    .expectStatus().isNotFound()
                    .expectBody(String.class).returnResult();
            assertThat(html.getResponseHeaders().getContentType().isCompatibleWith(MediaType.TEXT_HTML)).isTrue();
            assertThat(html.getResponseBody()).startsWith("<!DOCTYPE html>").contains("404 Not Found")
                    .hasSizeLessThan(512);
        }

        client.get().uri("/nothing").header("Host", "x.test")
                .header("Accept", "text/html;q=0.5, application/json").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_JSON);
    }

    @Test
    void upstreamWithoutEndpointsAnswers503NotFound() {
        Upstream empty = upstream("empty");
        Upstream missing = upstream("missing", endpoint(backendA));
        serve(List.of(vhost("app.test", null,
                route("app.test", PathMatch.prefix("/empty"), empty),
                route("app.test", PathMatch.prefix("/missing"), missing))), null, empty);

        for (String path : List.of("/empty", "/missing")) {
            EntityExchangeResult<String> result = client.get().uri(path).header("Host", "app.test")
                    .accept(MediaType.APPLICATION_JSON).exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectHeader().contentType(MediaType.APPLICATION_JSON)
                    .expectBody(String.class).returnResult();
            assertThat(result.getResponseBody()).contains("\"status\":503")
                    .doesNotContain("default/").doesNotContain("empty").doesNotContain("missing");
        }
        assertThat(backendA.getAllServeEvents()).isEmpty();
    }

    @Test
    void balancesRoundRobinAcrossEndpoints() {
        Upstream both = upstream("both", endpoint(backendA), endpoint(backendB));
        serve(List.of(vhost("app.test", null, route("app.test", PathMatch.prefix("/"), both))), null, both);

        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(body("app.test", "/rr"));
        }
        Map<String, Long> counts = bodies.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        assertThat(counts).containsOnly(Map.entry("200 a", 3L), Map.entry("200 b", 3L));
        for (int i = 1; i < bodies.size(); i++) {
            assertThat(bodies.get(i)).isNotEqualTo(bodies.get(i - 1));
        }
    }

    @Test
    void endpointChangesTakeEffectWithoutRouteRefresh() {
        Upstream onA = upstream("svc", endpoint(backendA));
        List<VirtualHost> hosts = List.of(vhost("app.test", null, route("app.test", PathMatch.prefix("/"), onA)));
        serve(hosts, null, onA);
        assertThat(body("app.test", "/")).isEqualTo("200 a");

        int refreshes = refreshCounter.count.get();
        Upstream onB = upstream("svc", endpoint(backendB));
        routeModel.onModel(new PipelineState(ClusterSnapshot.EMPTY,
                new RouteModel(hosts, Map.of(onB.key(), onB), null, List.of(), revisions.incrementAndGet())));
        assertThat(body("app.test", "/")).isEqualTo("200 b");
        assertThat(refreshCounter.count.get()).isEqualTo(refreshes);

        // A route change does refresh.
        serve(List.of(vhost("app.test", null, route("app.test", PathMatch.prefix("/other"), onB))), null, onB);
        assertThat(refreshCounter.count.get()).isGreaterThan(refreshes);
    }

    @Test
    void preservesHostAndReplacesClientForwardedHeaders() {
        Upstream a = upstream("a", endpoint(backendA));
        serve(List.of(vhost("app.test", null, route("app.test", PathMatch.prefix("/"), a))), null, a);

        client.get().uri("/h").header("Host", "app.test:8443")
                .header("X-Forwarded-For", "6.6.6.6")
                .header("X-Real-IP", "6.6.6.6")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "evil.test")
                .header("X-Forwarded-Port", "1")
                .header("Forwarded", "for=6.6.6.6")
                .header("X-Forwarded-Prefix", "/evil")
                .header("X-Request-ID", "not a sane id!")
                .exchange().expectStatus().isOk();
        client.get().uri("/h2").header("Host", "app.test")
                .header("X-Request-ID", "trace-1.2_3")
                .exchange().expectStatus().isOk();

        LoggedRequest first = onlyRequest(backendA, "/h");
        assertThat(values(first, "Host")).containsExactly("app.test:8443");
        assertThat(values(first, "X-Forwarded-For")).containsExactly("127.0.0.1");
        assertThat(values(first, "X-Real-IP")).containsExactly("127.0.0.1");
        assertThat(values(first, "X-Forwarded-Proto")).containsExactly("http");
        assertThat(values(first, "X-Forwarded-Host")).containsExactly("app.test:8443");
        // The port clients connect to for the listener's scheme (listener.public-port), never the Host header's.
        assertThat(values(first, "X-Forwarded-Port")).containsExactly("80");
        assertThat(values(first, "Forwarded")).isEmpty();
        assertThat(values(first, "X-Forwarded-Prefix")).isEmpty();
        assertThat(values(first, "X-Request-ID")).singleElement().asString().matches("[0-9a-f]{32}");

        LoggedRequest second = onlyRequest(backendA, "/h2");
        assertThat(values(second, "Host")).containsExactly("app.test");
        assertThat(values(second, "X-Forwarded-Port")).containsExactly("80");
        assertThat(values(second, "X-Request-ID")).containsExactly("trace-1.2_3");
    }

    @Test
    void keepsQueryAndEncodedPathAndRecordsGatewayMetrics() {
        Upstream a = upstream("a", endpoint(backendA));
        Route route = route("app.test", PathMatch.prefix("/enc"), a);
        serve(List.of(vhost("app.test", null, route)), null, a);

        // (An encoded slash in the path is refused before routing; in the query it is the upstream's business.)
        String rawPathAndQuery = "/enc/a%3Ab%20c?x=1%262&y=%C3%A9&z=%2F&flag";
        client.get().uri(URI.create("http://127.0.0.1:" + port + rawPathAndQuery)).header("Host", "app.test")
                .exchange().expectStatus().isOk();
        assertThat(backendA.getAllServeEvents()).singleElement()
                .satisfies(e -> assertThat(e.getRequest().getUrl()).isEqualTo(rawPathAndQuery));

        await().atMost(Duration.ofSeconds(30)).until(() ->
                meterRegistry.find("spring.cloud.gateway.requests").tag("routeId", route.id()).functionTimer() != null);
    }

    @Test
    void routeTimerCountsEachRequestOnceWithTheGatewaysTags() {
        Upstream a = upstream("a", endpoint(backendA));
        Route route = route("timed.test", PathMatch.prefix("/timed"), a);
        serve(List.of(vhost("timed.test", null, route)), null, a);

        for (int i = 0; i < 3; i++) {
            client.get().uri("/timed/" + i).header("Host", "timed.test").exchange().expectStatus().isOk();
        }
        client.post().uri("/timed/x").header("Host", "timed.test").exchange().expectStatus().isOk();

        // The stock filter is replaced, not joined: each request is counted once, under the stock meter's tags.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            FunctionTimer get = meterRegistry.find("spring.cloud.gateway.requests").tag("routeId", route.id())
                    .tag("httpMethod", "GET").tag("httpStatusCode", "200").tag("status", "OK")
                    .tag("outcome", "SUCCESSFUL").functionTimer();
            assertThat(get).isNotNull();
            assertThat(get.count()).isEqualTo(3);
            assertThat(get.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(get.getId().getTag("routeUri")).startsWith(IngressRouteDefinitions.SCHEME + ":");
            Gauge max = meterRegistry.find("spring.cloud.gateway.requests.seconds.max").tag("routeId", route.id())
                    .tag("httpMethod", "GET").tag("httpStatusCode", "200").gauge();
            assertThat(max).isNotNull();
            assertThat(max.value()).isPositive().isLessThanOrEqualTo(get.totalTime(TimeUnit.SECONDS));
            FunctionTimer post = meterRegistry.find("spring.cloud.gateway.requests").tag("routeId", route.id())
                    .tag("httpMethod", "POST").functionTimer();
            assertThat(post).isNotNull();
            assertThat(post.count()).isEqualTo(1);
        });
        assertThat(((GlobalFilterChainWebHandler) filteringWebHandler).globalFilters()).anyMatch(RouteTimerFilter.class::isInstance)
                .noneMatch(org.springframework.cloud.gateway.filter.GatewayMetricsFilter.class::isInstance);
        // The maximum's window moves on every Prometheus step (one minute by default), as a stock timer's would.
        assertThat(((GlobalFilterChainWebHandler) filteringWebHandler).globalFilters().stream()
                .filter(RouteTimerFilter.class::isInstance).map(RouteTimerFilter.class::cast).findFirst().orElseThrow()
                .maxRotation()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void reusesUpstreamConnections() {
        // One client port per upstream connection the gateway opened.
        Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
        AtomicInteger served = new AtomicInteger();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    clientPorts.add(req.remoteAddress().getPort());
                    served.incrementAndGet();
                    return res.sendString(Mono.just("pooled"));
                })
                .bindNow();
        try {
            Upstream pooled = upstream("pooled", new Endpoint("127.0.0.1", server.port()));
            serve(List.of(vhost("app.test", null, route("app.test", PathMatch.prefix("/"), pooled))), null, pooled);
            int requests = 10;
            for (int i = 0; i < requests; i++) {
                assertThat(body("app.test", "/k")).isEqualTo("200 pooled");
            }
            assertThat(served.get()).isEqualTo(requests);
            assertThat(clientPorts).hasSizeBetween(1, 2);
        } finally {
            server.disposeNow();
        }
    }

    @Test
    void proxiesWebSocketUpgrades() throws Exception {
        Map<String, String> upgradeHeaders = new ConcurrentHashMap<>();
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> {
                    req.requestHeaders().forEach(h -> upgradeHeaders.put(h.getKey().toLowerCase(), h.getValue()));
                    return res.sendWebsocket((in, out) ->
                            out.sendString(in.receive().asString().map(text -> "echo:" + text)));
                })
                .bindNow();
        try {
            Upstream ws = upstream("ws", new Endpoint("127.0.0.1", server.port()));
            serve(List.of(vhost("", null, route("", PathMatch.prefix("/ws"), ws))), null, ws);

            CompletableFuture<String> reply = new CompletableFuture<>();
            java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("X-Forwarded-For", "6.6.6.6")
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/echo"), new java.net.http.WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(java.net.http.WebSocket webSocket, CharSequence data,
                                                         boolean last) {
                            text.append(data);
                            if (last) {
                                reply.complete(text.toString());
                            }
                            webSocket.request(1);
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            socket.sendText("hello", true).get(10, TimeUnit.SECONDS);
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("echo:hello");
            socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

            assertThat(upgradeHeaders).containsEntry("x-forwarded-for", "127.0.0.1")
                    .containsEntry("x-real-ip", "127.0.0.1")
                    .containsEntry("host", "127.0.0.1:" + port)
                    .containsKey("x-request-id");
        } finally {
            server.disposeNow();
        }
    }

    private static LoggedRequest onlyRequest(WireMockServer server, String url) {
        List<LoggedRequest> requests = server.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> r.getUrl().equals(url)).map(LoggedRequest.class::cast).toList();
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static List<String> values(LoggedRequest request, String name) {
        HttpHeader header = request.getHeaders().getHeader(name);
        return header.isPresent() ? header.values() : List.of();
    }
}
