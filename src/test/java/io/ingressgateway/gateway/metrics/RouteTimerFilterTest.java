package io.ingressgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.route.IngressRouteDefinition;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.ServedRoute;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GatewayMetricsFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.tagsprovider.GatewayHttpTagsProvider;
import org.springframework.cloud.gateway.support.tagsprovider.GatewayRouteTagsProvider;
import org.springframework.cloud.gateway.support.tagsprovider.PropertiesTagsProvider;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Flux;

/**
 * The cached route timer against Spring Cloud Gateway's own: the same requests must give the same Prometheus series
 * (names, tags, counts) from two registries.
 */
class RouteTimerFilterTest {

    private static final Map<String, String> STATIC_TAGS = Map.of("cluster", "c1");

    private final Route routeA = route("rule-a", "ingress://a");
    private final Route routeB = route("rule-b", "ingress://b");

    @Test
    void recordsTheSameSeriesAsTheGatewaysFilter() {
        PrometheusMeterRegistry stockRegistry = prometheus(new MockClock());
        GatewayMetricsFilter stock = new GatewayMetricsFilter(stockRegistry, List.of(new GatewayHttpTagsProvider(),
                new GatewayRouteTagsProvider(), new PropertiesTagsProvider(STATIC_TAGS)), "spring.cloud.gateway");
        PrometheusMeterRegistry cachedRegistry = prometheus(new MockClock());
        RouteTimerFilter cached = new RouteTimerFilter(cachedRegistry, locator(routeA, routeB),
                stock.getMetricsPrefix(), STATIC_TAGS, stock.getOrder());

        for (GlobalFilter filter : List.of(stock, cached)) {
            run(filter, routeA, HttpMethod.GET, HttpStatus.OK);
            run(filter, routeA, HttpMethod.GET, HttpStatus.OK);
            run(filter, routeA, HttpMethod.POST, HttpStatus.OK);
            run(filter, routeA, HttpMethod.GET, HttpStatus.BAD_GATEWAY);
            run(filter, routeB, HttpMethod.GET, HttpStatus.valueOf(404));
            run(filter, routeB, HttpMethod.GET, null);
            run(filter, null, HttpMethod.GET, HttpStatus.SERVICE_UNAVAILABLE);
        }

        List<String> series = series(stockRegistry);
        // Six timers, but Prometheus takes a name's series with one set of tag keys only: the one without a route
        // (no routeId, no routeUri) is left out of the scrape by both.
        assertThat(series).filteredOn(line -> line.startsWith("spring_cloud_gateway_requests_seconds_count{"))
                .hasSize(5).contains("spring_cloud_gateway_requests_seconds_count{cluster=\"c1\",httpMethod=\"GET\","
                        + "httpStatusCode=\"200\",outcome=\"SUCCESSFUL\",routeId=\"rule-a\",routeUri=\"ingress://a\","
                        + "status=\"OK\"} 2");
        assertThat(series).filteredOn(line -> line.startsWith("spring_cloud_gateway_requests_seconds_max{")).hasSize(5);
        assertThat(series(cachedRegistry)).isEqualTo(series);
    }

    /**
     * Counts, durations and maxima as Micrometer's timer in a Prometheus registry keeps them: in seconds, the maximum
     * over a window moved on every Prometheus step.
     */
    @Test
    void timesAndMaximaAreThoseOfMicrometersTimer() {
        MockClock stockClock = new MockClock();
        MockClock clock = new MockClock();
        PrometheusMeterRegistry stockRegistry = prometheus(stockClock);
        Timer stock = Timer.builder("spring.cloud.gateway.requests").tag("routeId", "rule-a").register(stockRegistry);
        PrometheusMeterRegistry registry = prometheus(clock);
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0,
                PrometheusConfig.DEFAULT.step());
        RequestTimer timer = filter.timer(routeA, 200, "GET");
        FunctionTimer exported = registry.find("spring.cloud.gateway.requests").functionTimer();

        long[] millis = {250, 40, 1500, 10, 20, 5};
        long[] advanceSeconds = {0, 30, 50, 130, 60, 25};
        for (int i = 0; i < millis.length; i++) {
            stockClock.add(Duration.ofSeconds(advanceSeconds[i]));
            clock.add(Duration.ofSeconds(advanceSeconds[i]));
            stock.record(millis[i], TimeUnit.MILLISECONDS);
            timer.record(TimeUnit.MILLISECONDS.toNanos(millis[i]));
            assertThat(exported.count()).isEqualTo((double) stock.count());
            assertThat(exported.totalTime(TimeUnit.SECONDS)).isEqualTo(stock.totalTime(TimeUnit.SECONDS));
            assertThat(timer.maxSeconds()).as("after %d records", i + 1).isEqualTo(stock.max(TimeUnit.SECONDS));
            if (i == 3) {
                assertThat(timer.maxSeconds()).as("1.5 s, 130 s ago, still in the window").isEqualTo(1.5);
            }
        }
        assertThat(timer.maxSeconds()).as("1.5 s has left the window").isEqualTo(0.02);
        // Nothing for longer than the window: every buffer clear.
        stockClock.add(Duration.ofMinutes(10));
        clock.add(Duration.ofMinutes(10));
        assertThat(timer.maxSeconds()).isZero().isEqualTo(stock.max(TimeUnit.SECONDS));
        stockClock.add(Duration.ofSeconds(30));
        clock.add(Duration.ofSeconds(30));
        stock.record(7, TimeUnit.MILLISECONDS);
        timer.record(TimeUnit.MILLISECONDS.toNanos(7));
        assertThat(timer.maxSeconds()).isEqualTo(0.007).isEqualTo(stock.max(TimeUnit.SECONDS));
        timer.record(-1);
        assertThat(exported.count()).as("a negative duration is not recorded").isEqualTo(7);
    }

    @Test
    void keepsEachRoutesTimersAndFollowsReplacedAndRemovedRoutes() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0);
        RequestTimer first = filter.timer(routeA, 200, "GET");
        assertThat(filter.timer(routeA, 200, "GET")).isSameAs(first);
        filter.timer(routeA, 404, "GET");
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(2);

        // The same id naming a new route (its URI changed): timers under the new URI, not the old route's.
        Route moved = route("rule-a", "ingress://a2");
        RequestTimer movedTimer = filter.timer(moved, 200, "GET");
        assertThat(movedTimer).isNotSameAs(first);
        assertThat(filter.meters(moved, 200, "GET")).allSatisfy(meter ->
                assertThat(meter.getId().getTag("routeUri")).isEqualTo("ingress://a2"));
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(1);

        filter.timer(routeB, 200, "GET");
        filter.retainRoutes(Set.of("rule-a"));
        assertThat(filter.cachedTimers("rule-b")).isZero();
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(1);
        // A gone route's timers leave the registry too; the remaining route's stay, and a timer without a route too.
        filter.timer(null, 503, "GET");
        filter.retainRoutes(Set.of("rule-a"));
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-b").meters()).isEmpty();
        assertThat(registry.find("spring.cloud.gateway.requests.seconds.max").tag("routeId", "rule-b").meters())
                .isEmpty();
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-a").functionTimers())
                .hasSize(3);
        assertThat(registry.find("spring.cloud.gateway.requests.seconds.max").tag("routeId", "rule-a").gauges())
                .hasSize(3);
        assertThat(registry.find("spring.cloud.gateway.requests").tag("httpStatusCode", "503").functionTimers())
                .hasSize(1);
        // The id served again: registered again.
        filter.timer(routeB, 200, "GET");
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-b").functionTimers())
                .hasSize(1);
    }

    @Test
    void aRouteWhoseTimersWerePrunedWhileItWasServedRecordsIntoRegisteredTimersAgain() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0);
        ServedRoute state = new ServedRoute(new IngressRouteDefinition(routeA.getId(), Kind.NOT_FOUND, null, null,
                List.of(), false), routeA);
        run(filter, routeA, state);
        // A prune from a refresh that did not have the route yet.
        filter.retainRoutes(Set.of());
        assertThat(registry.find("spring.cloud.gateway.requests").meters()).isEmpty();

        run(filter, routeA, state);
        FunctionTimer timer = registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-a").functionTimer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(1);
    }

    private static void run(RouteTimerFilter filter, Route route, ServedRoute state) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/x"));
        exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, route);
        exchange.getAttributes().put(ServedRoute.ATTR, state);
        exchange.getResponse().setStatusCode(HttpStatus.OK);
        filter.filter(exchange, ignored -> exchange.getResponse().setComplete()).block();
    }

    @Test
    void aRefreshPrunesTheTimersOfRoutesThatAreGoneAtMostOncePerInterval() {
        RouteTimerFilter filter = new RouteTimerFilter(new SimpleMeterRegistry(), locator(routeA),
                "spring.cloud.gateway", Map.of(), 0);
        filter.timer(routeA, 200, "GET");
        filter.timer(routeB, 200, "GET");
        var refreshed = new org.springframework.cloud.gateway.event.RefreshRoutesResultEvent(this);

        filter.onApplicationEvent(refreshed);
        assertThat(filter.cachedTimers("rule-b")).as("rule-b is not among the routes").isZero();
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(1);

        // Right after a prune, a refresh leaves the cache alone: rule-b's timers stay until the interval is over.
        filter.timer(routeB, 200, "GET");
        filter.onApplicationEvent(refreshed);
        assertThat(filter.cachedTimers("rule-b")).isEqualTo(1);
    }

    /**
     * Where the stock filter differs on purpose: it tags the method token and the status code as they come, so a
     * client choosing either (a made-up method, an upstream echoing a status) makes new series without end.
     */
    @Test
    void methodsOutsideTheStandardSetAndUnknownStatusCodesShareOneSeriesEach() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0);
        for (int i = 0; i < 50; i++) {
            run(filter, routeA, HttpMethod.valueOf("FOO" + i), HttpStatus.OK);
            runRaw(filter, routeA, 520 + i);
        }
        run(filter, routeA, HttpMethod.valueOf("CONNECT"), HttpStatus.OK);
        run(filter, routeA, HttpMethod.PATCH, HttpStatus.OK);

        assertThat(registry.find("spring.cloud.gateway.requests").functionTimers())
                .extracting(timer -> timer.getId().getTag("httpMethod") + " " + timer.getId().getTag("httpStatusCode")
                        + " " + timer.getId().getTag("status") + " " + timer.getId().getTag("outcome") + " "
                        + (long) timer.count())
                .containsExactlyInAnyOrder("OTHER 200 OK SUCCESSFUL 50", "GET 5xx 5xx CUSTOM 50",
                        "CONNECT 200 OK SUCCESSFUL 1", "PATCH 200 OK SUCCESSFUL 1");
        // Every unknown code of a class finds the class's one timer from the route's cache.
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(4);
        assertThat(filter.timer(routeA, 599, "GET")).isSameAs(filter.timer(routeA, 520, "GET"));
        assertThat(filter.timer(routeA, 999, "GET")).isNotSameAs(filter.timer(routeA, 520, "GET"));
    }

    @Test
    void boundsTheTimersKeptPerRoute() {
        RouteTimerFilter filter = new RouteTimerFilter(new SimpleMeterRegistry(), locator(routeA),
                "spring.cloud.gateway", Map.of(), 0);
        List<Integer> codes = java.util.Arrays.stream(HttpStatus.values()).map(HttpStatus::value).distinct()
                .limit(RouteTimerFilter.MAX_CACHED_PER_ROUTE + 10).toList();
        for (int code : codes) {
            filter.timer(routeA, code, "GET");
        }
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(RouteTimerFilter.MAX_CACHED_PER_ROUTE);
        // Past the bound the registry still answers, with the right timer.
        int lateCode = codes.get(RouteTimerFilter.MAX_CACHED_PER_ROUTE + 5);
        assertThat(filter.timer(routeA, lateCode, "GET").isFor(lateCode, "GET")).isTrue();
        assertThat(filter.meters(routeA, lateCode, "GET").get(0).getId().getTag("httpStatusCode"))
                .isEqualTo(String.valueOf(lateCode));
    }

    private static void run(GlobalFilter filter, Route route, HttpMethod method, HttpStatus status) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.method(method, "/x"));
        if (route != null) {
            exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, route);
        }
        GatewayFilterChain chain = ex -> {
            if (status != null) {
                ex.getResponse().setStatusCode(status);
            }
            return ex.getResponse().setComplete();
        };
        filter.filter(exchange, chain).block();
    }

    private static void runRaw(GlobalFilter filter, Route route, int code) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/x"));
        exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, route);
        GatewayFilterChain chain = ex -> {
            ex.getResponse().setRawStatusCode(code);
            return ex.getResponse().setComplete();
        };
        filter.filter(exchange, chain).block();
    }

    private static PrometheusMeterRegistry prometheus(MockClock clock) {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
    }

    /** The route timer's lines of a scrape, sorted, with the durations (sums, maxima) left out: they vary. */
    private static List<String> series(PrometheusMeterRegistry registry) {
        return registry.scrape().lines().filter(line -> line.contains("spring_cloud_gateway_requests"))
                .map(line -> line.matches("^spring_cloud_gateway_requests_seconds_(sum|max)\\{.*")
                        ? line.replaceAll(" \\S+$", " <duration>") : line)
                .sorted().toList();
    }

    private static Route route(String id, String uri) {
        return Route.async().id(id).uri(URI.create(uri)).order(0).predicate(exchange -> true).build();
    }

    private static RouteLocator locator(Route... routes) {
        return () -> Flux.fromArray(routes);
    }
}
