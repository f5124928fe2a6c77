package io.ingressgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.route.IngressRouteDefinition;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.support.Models;
import io.ingressgateway.support.PrometheusText;
import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;

/**
 * The request series as a Prometheus scrape shows them: one per label set (two routes of one Ingress, Service and
 * host share theirs), histograms with ingress-nginx's buckets, and the series of a gone Ingress dropped.
 */
class RequestMetricsTest {

    private static final IngressRef SHOP = new IngressRef("apps", "shop");
    private static final IngressRef BLOG = new IngressRef("apps", "blog");

    private final ServedRoute shopApi = rule("shop.example.com", "/api", SHOP, "shop-svc");
    private final ServedRoute shopWeb = rule("shop.example.com", "/web", SHOP, "shop-svc");
    private final ServedRoute blog = rule("*.blog.example.com", "/", BLOG, "blog-svc");
    private final ServedRoute notFound = new ServedRoute(new IngressRouteDefinition("not-found", Kind.NOT_FOUND, null,
            null, List.of(), false), gatewayRoute("not-found"));
    private final List<ServedRoute> served = new ArrayList<>(List.of(shopApi, shopWeb, blog, notFound));

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, prometheus, Clock.SYSTEM);
    private final RequestMetrics metrics = new RequestMetrics(() -> served, 0);

    {
        prometheus.register(metrics);
    }

    @Test
    void countsEachLabelSetInHistogramsWithIngressNginxBuckets() {
        // 30 ms, a 50-byte request, a 250-byte response, 20 ms upstream; twice, through two routes of one rule set.
        metrics.series(shopApi, 200, "GET").record(ms(30), 50, 250, ms(20));
        metrics.series(shopWeb, 200, "GET").record(ms(3), 15, 95, ms(2));
        metrics.series(notFound, 404, "GET").record(ms(1), 40, 60, -1);
        metrics.series(blog, StatusTag.key(599), MethodTag.OTHER).record(ms(12_000), 0, 0, ms(11_000));

        PrometheusText scrape = PrometheusText.parse(registry.scrape());
        Map<String, String> shop = Map.of("namespace", "apps", "ingress", "shop", "service", "shop-svc",
                "host", "shop.example.com", "status", "200", "method", "GET");
        assertThat(scrape.value("ingress_gateway_requests_total", shop)).isEqualTo(2.0);
        assertThat(scrape.find("ingress_gateway_requests_total", Map.of())).hasSize(3);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", shop, "0.005")).isEqualTo(1.0);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", shop, "0.025")).isEqualTo(1.0);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", shop, "0.05")).isEqualTo(2.0);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", shop, "+Inf")).isEqualTo(2.0);
        assertThat(scrape.find("ingress_gateway_request_duration_seconds_bucket", shop)).extracting(
                sample -> sample.labels().get("le")).containsExactly("0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf");
        assertThat(scrape.value("ingress_gateway_request_duration_seconds_sum", shop)).isCloseTo(0.033,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(scrape.value("ingress_gateway_request_duration_seconds_count", shop)).isEqualTo(2.0);
        assertThat(bucket(scrape, "ingress_gateway_request_size_bytes", shop, "20.0")).isEqualTo(1.0);
        assertThat(bucket(scrape, "ingress_gateway_request_size_bytes", shop, "50.0")).isEqualTo(2.0);
        assertThat(scrape.value("ingress_gateway_request_size_bytes_sum", shop)).isEqualTo(65.0);
        assertThat(bucket(scrape, "ingress_gateway_response_size_bytes", shop, "100.0")).isEqualTo(1.0);
        assertThat(bucket(scrape, "ingress_gateway_response_size_bytes", shop, "+Inf")).isEqualTo(2.0);
        assertThat(scrape.value("ingress_gateway_response_size_bytes_sum", shop)).isEqualTo(345.0);
        assertThat(scrape.value("ingress_gateway_response_duration_seconds_count", shop)).isEqualTo(2.0);
        assertThat(bucket(scrape, "ingress_gateway_response_duration_seconds", shop, "0.005")).isEqualTo(1.0);

        // No rule: every rule label empty, as ingress-nginx's default server; no upstream asked, no upstream series.
        Map<String, String> noRule = Map.of("namespace", "", "ingress", "", "service", "", "host", "",
                "status", "404", "method", "GET");
        assertThat(scrape.value("ingress_gateway_requests_total", noRule)).isEqualTo(1.0);
        assertThat(scrape.find("ingress_gateway_response_duration_seconds_count", noRule)).isEmpty();

        // The rule's host pattern, an unknown code by its class, an unknown method as OTHER.
        Map<String, String> wildcard = Map.of("host", "*.blog.example.com", "status", "5xx", "method", "OTHER");
        assertThat(scrape.value("ingress_gateway_requests_total", wildcard)).isEqualTo(1.0);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", wildcard, "10.0")).isEqualTo(0.0);
        assertThat(bucket(scrape, "ingress_gateway_request_duration_seconds", wildcard, "+Inf")).isEqualTo(1.0);
    }

    @Test
    void theSeriesOfAGoneIngressAreDroppedAndARouteServedAgainCountsAfresh() {
        metrics.series(shopApi, 200, "GET").record(ms(1), 1, 1, ms(1));
        metrics.series(blog, 200, "GET").record(ms(1), 1, 1, ms(1));
        served.remove(blog);
        assertThat(PrometheusText.parse(registry.scrape()).find("ingress_gateway_requests_total",
                Map.of("ingress", "blog"))).as("before the routes are said to have changed").hasSize(1);

        metrics.routesChanged();
        PrometheusText scrape = PrometheusText.parse(registry.scrape());
        assertThat(scrape.find("ingress_gateway_requests_total", Map.of("ingress", "blog"))).isEmpty();
        assertThat(scrape.find("ingress_gateway_request_duration_seconds_bucket", Map.of("ingress", "blog")))
                .isEmpty();
        assertThat(scrape.value("ingress_gateway_requests_total", Map.of("ingress", "shop"))).isEqualTo(1.0);
        assertThat(metrics.groupCount()).isEqualTo(1);

        // The Ingress is back: its route kept the dropped group, but the version moved on, so it counts anew.
        served.add(blog);
        metrics.series(blog, 200, "GET").record(ms(1), 1, 1, ms(1));
        assertThat(PrometheusText.parse(registry.scrape()).value("ingress_gateway_requests_total",
                Map.of("ingress", "blog"))).isEqualTo(1.0);
    }

    @Test
    void sweepsNoMoreThanOncePerInterval() {
        RequestMetrics slow = new RequestMetrics(() -> served, TimeUnit.HOURS.toNanos(1));
        slow.series(blog, 200, "GET").record(ms(1), 1, 1, -1);
        served.remove(blog);
        slow.routesChanged();
        slow.collect();
        assertThat(slow.groupCount()).isEqualTo(1);
        slow.prune();
        assertThat(slow.groupCount()).isZero();
    }

    private static Double bucket(PrometheusText scrape, String name, Map<String, String> labels, String le) {
        Map<String, String> withLe = new java.util.HashMap<>(labels);
        withLe.put("le", le);
        return scrape.value(name + "_bucket", withLe);
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static ServedRoute rule(String host, String path, IngressRef ingress, String service) {
        io.ingressgateway.model.Route rule = Models.route(host, PathMatch.prefix(path), ingress,
                Models.key(ingress.namespace(), service, "80"));
        return new ServedRoute(new IngressRouteDefinition(rule.id(), Kind.RULE, rule, rule.upstreamKey(), List.of(),
                false), gatewayRoute(rule.id()));
    }

    private static Route gatewayRoute(String id) {
        return Route.async().id(id).uri(URI.create("ingress://upstream")).order(0).predicate(exchange -> true).build();
    }
}
