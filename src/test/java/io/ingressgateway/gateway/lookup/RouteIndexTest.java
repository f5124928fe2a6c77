package io.ingressgateway.gateway.lookup;

import static io.ingressgateway.gateway.route.IngressRouteLocatorTest.model;
import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Models.state;
import static io.ingressgateway.support.Models.virtualHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.gateway.route.RoundRobinBalancer;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/**
 * The route index the handler mapping builds from the locator's served routes: built from the previous one, it finds
 * what one built afresh finds, and hands each request the served route of its route.
 */
class RouteIndexTest {

    private static final UpstreamKey DEFAULT = key("ns", "default", "80");

    @Test
    void aSequenceOfModelsSharingVirtualHostsKeepsTheirRoutesAndEndsAsAFreshLocatorWould() {
        java.util.Random random = new java.util.Random(7);
        IngressRouteLocator locator = new IngressRouteLocator();
        GatewayRouteModel routeModel = new GatewayRouteModel(event -> { }, new RoundRobinBalancer(), locator);
        List<VirtualHost> hosts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            hosts.add(virtualHost("h" + i + ".test", "/a", "/b"));
        }
        routeModel.onModel(state(new RouteModel(hosts, Map.of(), null, List.of(), 0)));
        RouteIndex index = new RouteIndex(List.of(), locator.served());
        int made = 30;
        for (int step = 1; step <= 40; step++) {
            Map<String, org.springframework.cloud.gateway.route.Route> before = byId(locator.routes());
            Map<VirtualHost, Boolean> kept = new java.util.IdentityHashMap<>();
            hosts.forEach(host -> kept.put(host, true));
            switch (random.nextInt(3)) {
                case 0 -> hosts.add(random.nextInt(hosts.size() + 1), virtualHost("h" + made++ + ".test", "/c"));
                case 1 -> kept.remove(hosts.remove(random.nextInt(hosts.size())));
                default -> {
                    int at = random.nextInt(hosts.size());
                    kept.remove(hosts.get(at));
                    hosts.set(at, virtualHost(hosts.get(at).host().toString(), "/a", "/b", "/" + step));
                }
            }
            RouteModel model = new RouteModel(hosts, Map.of(), step % 2 == 0 ? null : DEFAULT, List.of(), step);

            routeModel.onModel(state(model));

            IngressRouteLocator fresh = new IngressRouteLocator();
            fresh.update(IngressRouteDefinitions.from(model));
            assertThat(locator.routes()).extracting(org.springframework.cloud.gateway.route.Route::getId)
                    .containsExactlyElementsOf(fresh.routes().stream()
                            .map(org.springframework.cloud.gateway.route.Route::getId).toList());
            for (int i = 0; i < fresh.routes().size(); i++) {
                assertThat(locator.served().get(i).definition()).isEqualTo(fresh.served().get(i).definition());
                assertThat(locator.routes().get(i).getMetadata()).isEqualTo(fresh.routes().get(i).getMetadata());
            }
            for (VirtualHost host : kept.keySet()) {
                for (Route route : host.routes()) {
                    assertThat(byId(locator.routes()).get(route.id())).isSameAs(before.get(route.id()));
                }
            }
            // The handler mapping's index, built from the previous one, finds what one built afresh finds.
            index = new RouteIndex(List.of(), locator.served(), index);
            RouteIndex afresh = new RouteIndex(List.of(), locator.served());
            for (int h = 0; h < made; h++) {
                for (String path : List.of("/a", "/b/x", "/c", "/" + step, "/" + (step - 1), "/none")) {
                    String host = "h" + h + ".test";
                    assertThat(find(index, host, path)).as("%s%s at step %d", host, path, step)
                            .isSameAs(find(afresh, host, path));
                }
            }
        }
    }

    @Test
    void theIndexHandsEachRequestTheStateOfItsRouteWhichLastsAsLongAsTheRouteObject() {
        IngressRouteLocator locator = new IngressRouteLocator();
        GatewayRouteModel routeModel = new GatewayRouteModel(event -> { }, new RoundRobinBalancer(), locator);
        VirtualHost shop = virtualHost("shop.test", "/a");
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/a"), shop), Map.of(), null,
                List.of(), 0)));
        RouteIndex index = new RouteIndex(List.of(), locator.served());

        MockServerWebExchange first = exchange("shop.test", "/a/1");
        org.springframework.cloud.gateway.route.Route route = index.find(first).block();
        ServedRoute state = first.getAttribute(ServedRoute.ATTR);
        assertThat(route.getId()).isEqualTo("shop.test|PREFIX|/a");
        assertThat(state.route()).isSameAs(route);

        // Another host changed: the index is rebuilt, the route and its state stay.
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b"), shop), Map.of(), null,
                List.of(), 1)));
        index = new RouteIndex(List.of(), locator.served(), index);
        MockServerWebExchange second = exchange("shop.test", "/a/2");
        assertThat(index.find(second).block()).isSameAs(route);
        assertThat((ServedRoute) second.getAttribute(ServedRoute.ATTR)).isSameAs(state);

        // The route went away and came back: a new route object, with a new state.
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b")), Map.of(), null,
                List.of(), 2)));
        index = new RouteIndex(List.of(), locator.served(), index);
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b"),
                virtualHost("shop.test", "/a")), Map.of(), null, List.of(), 3)));
        index = new RouteIndex(List.of(), locator.served(), index);
        MockServerWebExchange third = exchange("shop.test", "/a/3");
        org.springframework.cloud.gateway.route.Route changed = index.find(third).block();
        ServedRoute changedState = third.getAttribute(ServedRoute.ATTR);
        assertThat(changed).isNotSameAs(route);
        assertThat(changedState).isNotSameAs(state);
        assertThat(changedState.route()).isSameAs(changed);
    }

    private static MockServerWebExchange exchange(String host, String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host));
    }

    private static org.springframework.cloud.gateway.route.Route find(RouteIndex index, String host, String path) {
        return index.find(MockServerWebExchange.from(MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host)))
                .block();
    }

    @Test
    void theHandlerMappingServesAChangedIngressBeforeTheGatewaysRefreshAndNeverAnOlderOneFromIt() {
        IngressRouteLocator locator = new IngressRouteLocator();
        org.springframework.cloud.gateway.route.Route other = org.springframework.cloud.gateway.route.Route.async()
                .id("other").uri("http://other.test").order(IngressRouteLocator.ORDER)
                .predicate(exchange -> exchange.getRequest().getPath().value().equals("/other")).build();
        org.springframework.cloud.gateway.route.CachingRouteLocator caching =
                new org.springframework.cloud.gateway.route.CachingRouteLocator(
                        new org.springframework.cloud.gateway.route.CompositeRouteLocator(reactor.core.publisher.Flux
                                .just(() -> reactor.core.publisher.Flux.just(other), locator)));
        caching.setApplicationEventPublisher(event -> { });
        IngressRouteHandlerMapping mapping = new IngressRouteHandlerMapping(
                new org.springframework.cloud.gateway.handler.FilteringWebHandler(List.of(), false), caching, locator,
                new org.springframework.cloud.gateway.config.GlobalCorsProperties(),
                new org.springframework.mock.env.MockEnvironment());

        locator.update(IngressRouteDefinitions.from(model(Map.of("a.test", List.of("/x")), DEFAULT)));
        caching.onApplicationEvent(new RefreshRoutesEvent(this));
        mapping.onApplicationEvent(new org.springframework.cloud.gateway.event.RefreshRoutesResultEvent(caching));
        assertThat(routeFor(mapping, "a.test", "/x/1")).isEqualTo("a.test|PREFIX|/x");
        assertThat(routeFor(mapping, "a.test", "/other")).as("other routes are tried first").isEqualTo("other");

        // A new Ingress route: served as soon as the locator has it, with no refresh of the gateway's routes yet.
        locator.update(IngressRouteDefinitions.from(model(Map.of("a.test", List.of("/x"), "b.test", List.of("/y")),
                DEFAULT)));
        assertThat(routeFor(mapping, "b.test", "/y")).isEqualTo("b.test|PREFIX|/y");
        assertThat(caching.getRoutes().map(org.springframework.cloud.gateway.route.Route::getId).collectList()
                .block()).doesNotContain("b.test|PREFIX|/y");

        // The result of a refresh that collected the routes before that update: its Ingress routes are not taken.
        mapping.onApplicationEvent(new org.springframework.cloud.gateway.event.RefreshRoutesResultEvent(caching));
        assertThat(routeFor(mapping, "b.test", "/y")).isEqualTo("b.test|PREFIX|/y");
        assertThat(routeFor(mapping, "a.test", "/other")).isEqualTo("other");
    }

    private static String routeFor(IngressRouteHandlerMapping mapping, String host, String path) {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host));
        return mapping.lookupRoute(exchange).map(org.springframework.cloud.gateway.route.Route::getId).block();
    }

    private static Map<String, org.springframework.cloud.gateway.route.Route> byId(
            List<org.springframework.cloud.gateway.route.Route> routes) {
        Map<String, org.springframework.cloud.gateway.route.Route> byId = new HashMap<>();
        routes.forEach(route -> byId.put(route.getId(), route));
        return byId;
    }
}
