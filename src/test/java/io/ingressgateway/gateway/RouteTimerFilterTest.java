package io.ingressgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
 * The cached route timer against Spring Cloud Gateway's own: the same requests must give the same meters (names,
 * tags, counts) in two registries.
 */
class RouteTimerFilterTest {

    private static final Map<String, String> STATIC_TAGS = Map.of("cluster", "c1");

    private final Route routeA = route("rule-a", "ingress://a");
    private final Route routeB = route("rule-b", "ingress://b");

    @Test
    void recordsTheSameMetersAsTheGatewaysFilter() {
        MeterRegistry stockRegistry = new SimpleMeterRegistry();
        GatewayMetricsFilter stock = new GatewayMetricsFilter(stockRegistry, List.of(new GatewayHttpTagsProvider(),
                new GatewayRouteTagsProvider(), new PropertiesTagsProvider(STATIC_TAGS)), "spring.cloud.gateway");
        MeterRegistry cachedRegistry = new SimpleMeterRegistry();
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
            // A status code HttpStatus does not know: outcome and status stay CUSTOM.
            runRaw(filter, routeB, 599);
        }

        assertThat(timers(cachedRegistry)).isEqualTo(timers(stockRegistry)).hasSize(7);
    }

    @Test
    void keepsEachRoutesTimersAndFollowsReplacedAndRemovedRoutes() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0);
        Timer first = filter.timer(routeA, 200, "GET");
        assertThat(filter.timer(routeA, 200, "GET")).isSameAs(first);
        filter.timer(routeA, 404, "GET");
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(2);

        // The same id naming a new route (its URI changed): timers under the new URI, not the old route's.
        Route moved = route("rule-a", "ingress://a2");
        Timer movedTimer = filter.timer(moved, 200, "GET");
        assertThat(movedTimer).isNotSameAs(first);
        assertThat(movedTimer.getId().getTag("routeUri")).isEqualTo("ingress://a2");
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(1);

        filter.timer(routeB, 200, "GET");
        filter.retainRoutes(Set.of("rule-a"));
        assertThat(filter.cachedTimers("rule-b")).isZero();
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(1);
        // A gone route's timers leave the registry too; the remaining route's stay, and a timer without a route too.
        filter.timer(null, 503, "GET");
        filter.retainRoutes(Set.of("rule-a"));
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-b").timers()).isEmpty();
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-a").timers()).hasSize(3);
        assertThat(registry.find("spring.cloud.gateway.requests").tag("httpStatusCode", "503").timers()).hasSize(1);
        // The id served again: registered again.
        assertThat(filter.timer(routeB, 200, "GET").getId().getTag("routeId")).isEqualTo("rule-b");
        assertThat(registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-b").timers()).hasSize(1);
    }

    @Test
    void aRouteWhoseTimersWerePrunedWhileItWasServedRecordsIntoRegisteredTimersAgain() {
        MeterRegistry registry = new SimpleMeterRegistry();
        RouteTimerFilter filter = new RouteTimerFilter(registry, locator(routeA), "spring.cloud.gateway", Map.of(), 0);
        RouteState state = new RouteState(routeA);
        run(filter, routeA, state);
        // A prune from a refresh that did not have the route yet.
        filter.retainRoutes(Set.of());
        assertThat(registry.find("spring.cloud.gateway.requests").timers()).isEmpty();

        run(filter, routeA, state);
        Timer timer = registry.find("spring.cloud.gateway.requests").tag("routeId", "rule-a").timer();
        assertThat(timer).isNotNull();
        assertThat(timer.count()).isEqualTo(1);
    }

    private static void run(RouteTimerFilter filter, Route route, RouteState state) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/x"));
        exchange.getAttributes().put(GATEWAY_ROUTE_ATTR, route);
        exchange.getAttributes().put(RouteState.ATTR, state);
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

    @Test
    void boundsTheTimersKeptPerRoute() {
        RouteTimerFilter filter = new RouteTimerFilter(new SimpleMeterRegistry(), locator(routeA),
                "spring.cloud.gateway", Map.of(), 0);
        for (int code = 200; code < 200 + RouteTimerFilter.MAX_CACHED_PER_ROUTE + 10; code++) {
            filter.timer(routeA, code, "GET");
        }
        assertThat(filter.cachedTimers("rule-a")).isEqualTo(RouteTimerFilter.MAX_CACHED_PER_ROUTE);
        // Past the bound the registry still answers, with the right timer.
        Timer late = filter.timer(routeA, 200 + RouteTimerFilter.MAX_CACHED_PER_ROUTE + 5, "GET");
        assertThat(late.getId().getTag("httpStatusCode"))
                .isEqualTo(String.valueOf(200 + RouteTimerFilter.MAX_CACHED_PER_ROUTE + 5));
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

    /** Each timer as name, sorted tags and count. */
    private static Set<String> timers(MeterRegistry registry) {
        return registry.getMeters().stream().filter(Timer.class::isInstance).map(m -> {
            Meter.Id id = m.getId();
            return id.getName() + id.getTags() + "=" + ((Timer) m).count();
        }).collect(Collectors.toSet());
    }

    private static Route route(String id, String uri) {
        return Route.async().id(id).uri(URI.create(uri)).order(0).predicate(exchange -> true).build();
    }

    private static RouteLocator locator(Route... routes) {
        return () -> Flux.fromArray(routes);
    }
}
