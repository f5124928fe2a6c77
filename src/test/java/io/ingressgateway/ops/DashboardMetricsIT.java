package io.ingressgateway.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chart's Grafana dashboard against a real scrape: traffic through the gateway (a proxied 200, a 404 no rule
 * matched, a 503 of an Ingress's rate limit), then every metric any panel or variable of the dashboard queries must be
 * in {@code /actuator/prometheus} on the management port, and the proxied request's series must carry its rule's
 * labels and its counts.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class DashboardMetricsIT {

    static final Path DASHBOARD = Path.of("helm/ingress-gateway/dashboards/ingress-gateway.json");
    static final String BODY = "hello from the backend";
    /** Sent byte for byte: the request size the metrics must count. */
    static final String PROXIED_REQUEST = "GET /hello HTTP/1.1\r\nHost: app.test\r\n\r\n";

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry properties) throws IOException {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody(BODY)));
        Files.writeString(manifests.resolve("apps.yaml"), """
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
                    - host: app.test
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: limited
                  annotations:
                    nginx.ingress.kubernetes.io/limit-rps: "1"
                    nginx.ingress.kubernetes.io/limit-burst-multiplier: "1"
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: limited.test
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """.formatted(backend.port()));
        properties.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @Test
    void everyMetricTheDashboardQueriesIsInTheScrapeAfterTraffic() throws Exception {
        driveTraffic();
        // A request is recorded as its response ends, a moment after its client may have read it.
        await().atMost(Duration.ofSeconds(30)).until(() -> PrometheusText.parse(scrape()).value(
                "ingress_gateway_requests_total", Map.of("ingress", "limited", "status", "503")) != null);
        PrometheusText scrape = PrometheusText.parse(scrape());
        Set<String> scraped = scrapedNames();

        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        assertThat(dashboard.path("templating").path("list")).extracting(variable -> variable.path("name").asString())
                .as("variables, as ingress-nginx's dashboard has").contains("datasource", "namespace", "ingress", "host");
        Map<String, String> expressions = dashboardExpressions();
        assertThat(expressions).as("PromQL expressions in %s", DASHBOARD).hasSizeGreaterThan(20);
        List<String> missing = new ArrayList<>();
        Set<String> queried = new TreeSet<>();
        expressions.forEach((expression, where) -> {
            Set<String> names = PromQlMetricNames.of(expression);
            if (names.isEmpty()) {
                missing.add(where + ": no metric found in " + expression);
            }
            for (String name : names) {
                queried.add(name);
                if (!scraped.contains(name)) {
                    missing.add(where + ": " + name + " (in " + expression + ")");
                }
            }
        });
        assertThat(missing).as("metrics the dashboard queries that the scrape lacks").isEmpty();
        assertThat(queried).as("the request metrics are on the dashboard").contains(
                "ingress_gateway_requests_total", "ingress_gateway_request_duration_seconds_bucket",
                "ingress_gateway_response_duration_seconds_bucket", "ingress_gateway_request_size_bytes_sum",
                "ingress_gateway_response_size_bytes_sum");

        // No rule matched: counted with the rule labels empty, as ingress-nginx's default server.
        assertThat(scrape.value("ingress_gateway_requests_total", Map.of("namespace", "", "ingress", "",
                "service", "", "host", "", "status", "404", "method", "GET"))).isGreaterThanOrEqualTo(1.0);
        // The guard's answer is counted under the Ingress that set it.
        assertThat(scrape.value("ingress_gateway_requests_total", Map.of("namespace", "apps", "ingress", "limited",
                "service", "web", "host", "limited.test", "status", "503", "method", "GET")))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void aProxiedRequestIsCountedWithItsRulesLabelsSizesAndUpstreamTime() throws Exception {
        try (PlainHttpConnection client = new PlainHttpConnection(port, "app.test", Duration.ofSeconds(30))) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.get("/") == 200);
        }
        Map<String, String> proxied = Map.of("namespace", "apps", "ingress", "app", "service", "web",
                "host", "app.test", "status", "200", "method", "GET");
        PrometheusText before = PrometheusText.parse(scrape());
        int requests = 3;
        try (PlainHttpConnection client = new PlainHttpConnection(port, "app.test", Duration.ofSeconds(30))) {
            for (int i = 0; i < requests; i++) {
                PlainHttpConnection.Response response = client.send(PROXIED_REQUEST);
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo(BODY);
            }
        }
        // A request is recorded as its response ends, a moment after its client may have read it.
        await().atMost(Duration.ofSeconds(30)).until(() -> delta(before, PrometheusText.parse(scrape()),
                "ingress_gateway_requests_total", proxied) == requests);
        PrometheusText after = PrometheusText.parse(scrape());

        assertThat(delta(before, after, "ingress_gateway_requests_total", proxied)).isEqualTo(requests);
        assertThat(delta(before, after, "ingress_gateway_request_duration_seconds_count", proxied))
                .isEqualTo(requests);
        assertThat(delta(before, after, "ingress_gateway_response_duration_seconds_count", proxied))
                .as("requests that reached the upstream").isEqualTo(requests);
        assertThat(delta(before, after, "ingress_gateway_request_size_bytes_sum", proxied))
                .as("request line and headers, as sent").isEqualTo(requests * PROXIED_REQUEST.length());
        double responseBytes = delta(before, after, "ingress_gateway_response_size_bytes_sum", proxied);
        assertThat(responseBytes / requests).as("status line, headers and the body")
                .isGreaterThan(BODY.length() + 30).isLessThan(BODY.length() + 2000);
        // The upstream's time is within the request's.
        assertThat(delta(before, after, "ingress_gateway_response_duration_seconds_sum", proxied))
                .isLessThanOrEqualTo(delta(before, after, "ingress_gateway_request_duration_seconds_sum", proxied));
        assertThat(delta(before, after, "ingress_gateway_request_duration_seconds_bucket",
                with(proxied, "le", "+Inf"))).isEqualTo(requests);
    }

    /** A proxied 200, a 404 of no rule, and an Ingress's rate limit answering 503. */
    private void driveTraffic() throws IOException {
        try (PlainHttpConnection client = new PlainHttpConnection(port, "app.test", Duration.ofSeconds(30))) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> client.get("/") == 200);
            assertThat(client.request("GET", "/", "nobody.test")).isEqualTo(404);
            await().atMost(Duration.ofSeconds(30)).until(() -> client.request("GET", "/", "limited.test") == 503);
        }
    }

    private String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Every sample name of a scrape ({@code _bucket}, {@code _count}, {@code _sum}, {@code _total} as exposed). */
    private Set<String> scrapedNames() throws IOException, InterruptedException {
        return scrape().lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every PromQL expression of the dashboard (panel targets and query variables), with where it is. */
    static Map<String, String> dashboardExpressions() throws IOException {
        JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
        Map<String, String> expressions = new LinkedHashMap<>();
        collectTargets(dashboard.path("panels"), expressions);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asString())) {
                continue;
            }
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asString() : query.asString();
            if (text != null && !text.isBlank()) {
                expressions.put(text, "variable " + variable.path("name").asString());
            }
        }
        return expressions;
    }

    private static void collectTargets(JsonNode panels, Map<String, String> expressions) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String expression = target.path("expr").asString();
                if (expression != null && !expression.isBlank()) {
                    expressions.put(expression, "panel \"" + panel.path("title").asString() + "\"");
                }
            }
            collectTargets(panel.path("panels"), expressions); // rows keep their panels when collapsed
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, Map<String, String> labels) {
        Double was = before.value(name, labels);
        Double is = after.value(name, labels);
        assertThat(is).as("%s%s after the requests", name, labels).isNotNull();
        return is - (was == null ? 0 : was);
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> more = new HashMap<>(labels);
        more.put(name, value);
        return more;
    }
}
