package io.ingressgateway.gateway.metrics;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PrometheusText;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An unauthenticated client must not be able to grow the gateway's meters: whatever methods, paths and hosts its
 * requests carry, the meters (and the series of a scrape) are those a handful of requests creates. A method outside
 * the standard set is one tag value, {@code OTHER}; paths are never tags, and hosts only as the rules write them (the
 * request series' {@code host}).
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.enabled=false"})
class MeterCardinalityIT {

    static final String HOST = "app.test";
    static final int FLOOD = 10_000;
    static final int CLIENTS = 4;
    static final Set<String> STANDARD_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
    /** Anything of the flood's own making, in a tag value. */
    static final Pattern FLOOD_TOKEN = Pattern.compile(".*(FLOOD\\d|/p/\\d|unknown\\.test).*");

    @TempDir
    static Path manifests;

    /** No request journal: it would keep every one of the flood's requests in the heap this test measures. */
    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
            .disableRequestJournal());

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry properties) throws IOException {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        Files.writeString(manifests.resolve("app.yaml"), """
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
                endpoints:
                  - addresses: ["127.0.0.1"]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: app
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
                """.formatted(backend.port(), HOST));
        properties.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @Test
    void tenThousandDistinctMethodsPathsAndHostsCreateNoMoreMetersThanAHandfulOfRequests() throws Exception {
        try (PlainHttpConnection client = new PlainHttpConnection(port, HOST, Duration.ofSeconds(30))) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.get("/") == 200);
            // The handful: every kind of request the flood sends, once (a standard method, an unknown one, an unknown
            // host, each answer the gateway gives them).
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")) {
                client.request(method, "/warm", HOST);
            }
            client.request("WARMUP", "/warm", HOST);
            client.request("GET", "/warm", "warm.unknown-host.example");
            client.request("WARMUP", "/warm", "warm.unknown-host.example");
            // Last, a request of a kind already counted: a request is recorded as its response ends, a moment after
            // the client may have read it, and the one before is recorded by the time the server reads this one.
            client.get("/");
        }
        Set<Meter.Id> afterHandful = meterIds();
        int scrapeAfterHandful = scrapeLines();
        Set<Map<String, String>> requestSeriesAfterHandful = requestSeries();
        long heapAfterHandful = usedHeapAfterGc();

        flood();

        Set<Meter.Id> afterFlood = meterIds();
        Set<Meter.Id> added = new HashSet<>(afterFlood);
        added.removeAll(afterHandful);
        assertThat(added).as("meters created by the flood").allSatisfy(id -> assertThat(id.getTags())
                .noneMatch(tag -> FLOOD_TOKEN.matcher(tag.getValue()).matches()));
        // A few meters of the process itself may appear meanwhile (a GC kind, a pool); never one per request.
        assertThat(afterFlood.size()).as("meters after %d distinct requests", FLOOD)
                .isLessThanOrEqualTo(afterHandful.size() + 5);
        assertThat(scrapeLines()).as("series in a scrape, but the request series")
                .isLessThanOrEqualTo(scrapeAfterHandful + 20);

        Set<String> methods = new TreeSet<>();
        for (Meter meter : registry.getMeters()) {
            for (Tag tag : meter.getId().getTags()) {
                assertThat(tag.getValue()).as("tag %s of %s", tag.getKey(), meter.getId().getName())
                        .doesNotMatch(FLOOD_TOKEN);
                if (tag.getKey().equalsIgnoreCase("httpMethod") || tag.getKey().equalsIgnoreCase("method")) {
                    methods.add(tag.getValue());
                }
            }
        }
        assertThat(methods).contains("GET", "OTHER").allSatisfy(method ->
                assertThat(STANDARD_METHODS.contains(method) || method.equals("OTHER")).as(method).isTrue());

        // The request series (a Prometheus collector of their own, not Micrometer meters): labels from the rules and
        // closed sets only, whatever the flood sent.
        String scrape = ((PrometheusMeterRegistry) registry).scrape();
        assertThat(scrape.lines().filter(line -> !line.startsWith("#")))
                .as("scraped series carrying a token of the flood").noneMatch(line -> FLOOD_TOKEN.matcher(line).matches());
        List<PrometheusText.Sample> requestSeries =
                PrometheusText.parse(scrape).find("ingress_gateway_requests_total", Map.of());
        assertThat(requestSeries).extracting(sample -> sample.labels().get("method")).contains("GET", "OTHER")
                .allSatisfy(method -> assertThat(STANDARD_METHODS.contains(method) || method.equals("OTHER"))
                        .as(method).isTrue());
        assertThat(requestSeries).extracting(sample -> sample.labels().get("host")).as("hosts: the rule's, or none")
                .containsOnly(HOST, "");
        // A request series is a label set of closed sets, but each is some 50 lines of a scrape (a counter and four
        // histograms): one status the handful did not get (a 503 or 504 of the gateway itself on a loaded machine)
        // would outgrow the tolerance above, so they are compared as label sets. The flood may add statuses the
        // gateway answers itself, never a rule, host or method of its own making.
        Set<Map<String, String>> addedSeries = new HashSet<>(requestSeries());
        addedSeries.removeAll(requestSeriesAfterHandful);
        Set<Map<String, String>> knownRules = new HashSet<>();
        requestSeriesAfterHandful.forEach(labels -> knownRules.add(withoutStatus(labels)));
        assertThat(addedSeries).as("request series the flood added").allSatisfy(labels -> {
            assertThat(knownRules).contains(withoutStatus(labels));
            assertThat(labels.get("status")).startsWith("5");
        });

        // The heap: a generous bound, far above what 10,000 served requests leave behind and far below what 10,000
        // sets of meters would hold; the meter count above is the exact measure.
        long grown = usedHeapAfterGc() - heapAfterHandful;
        assertThat(grown).as("heap grown by the flood, bytes").isLessThan(64L * 1024 * 1024);
    }

    /** {@link #FLOOD} requests, each with its own method token and path, a quarter of them to hosts nobody serves. */
    private void flood() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c;
                done.add(clients.submit(() -> {
                    try (PlainHttpConnection client = new PlainHttpConnection(port, HOST, Duration.ofSeconds(30))) {
                        for (int i = first; i < FLOOD; i += CLIENTS) {
                            String host = i % 4 == 3 ? "h" + i + ".unknown.test" : HOST;
                            client.request("FLOOD" + i, "/p/" + i + "?q=" + i, host);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private Set<Meter.Id> meterIds() {
        Set<Meter.Id> ids = new HashSet<>();
        registry.getMeters().forEach(meter -> ids.add(meter.getId()));
        return ids;
    }

    /** The label sets of the request series now. */
    private Set<Map<String, String>> requestSeries() {
        Set<Map<String, String>> series = new HashSet<>();
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            PrometheusText.parse(prometheus.scrape()).find("ingress_gateway_requests_total", Map.of())
                    .forEach(sample -> series.add(sample.labels()));
        }
        return series;
    }

    private static Map<String, String> withoutStatus(Map<String, String> labels) {
        Map<String, String> rest = new java.util.HashMap<>(labels);
        rest.remove("status");
        return rest;
    }

    /** Lines of a scrape, but the request series' (bounded by {@link #requestSeries} label sets instead). */
    private int scrapeLines() {
        return registry instanceof PrometheusMeterRegistry prometheus
                ? (int) prometheus.scrape().lines().filter(line -> !line.startsWith("#"))
                        .filter(line -> !line.startsWith("ingress_gateway_request")
                                && !line.startsWith("ingress_gateway_response"))
                        .count() : 0;
    }

    private static long usedHeapAfterGc() {
        // Several collections, so that what the flood left unreachable is gone whatever the collector's pace; the
        // bound above is generous enough not to depend on how much exactly.
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
