package io.ingressgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/** The incremental locator converts only what changed, and the route model refreshes the gateway only then. */
class IngressRouteLocatorTest {

    private static final IngressRef INGRESS = new IngressRef("ns", "web");

    @Test
    void firstUpdateConvertsEveryRouteLikeTheGatewayWould() {
        IngressRouteLocator locator = new IngressRouteLocator();
        RouteModel model = model(Map.of("a.test", List.of("/x", "/"), "b.test", List.of("/y")), "ns/default:80");

        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(model));

        // 3 rules and 1 default are new; the not-found route existed before the first model and is kept.
        assertThat(update).isEqualTo(new IngressRouteLocator.Update(true, 4, 1, 0));
        List<org.springframework.cloud.gateway.route.Route> routes = locator.routes();
        assertThat(routes).extracting(org.springframework.cloud.gateway.route.Route::getId).containsExactly(
                "a.test|PREFIX|/x", "a.test|PREFIX|/", "b.test|PREFIX|/y", "default:ns/default:80", "not-found");
        // One order for all: the sequence is the precedence (the gateway's sort is stable, see the next test).
        assertThat(routes).extracting(org.springframework.cloud.gateway.route.Route::getOrder)
                .containsOnly(IngressRouteLocator.ORDER);
        org.springframework.cloud.gateway.route.Route rule = routes.get(0);
        assertThat(rule.getUri()).isEqualTo(IngressRouteDefinitions.UPSTREAM_URI);
        assertThat(rule.getMetadata()).containsEntry(IngressRouteDefinitions.KIND, "RULE")
                .containsEntry(IngressRouteDefinitions.UPSTREAM, "ns/a.test:80")
                .containsEntry(IngressRouteDefinitions.HOST, "a.test")
                .containsEntry(IngressRouteDefinitions.PATH_TYPE, "PREFIX")
                .containsEntry(IngressRouteDefinitions.PATH, "/x")
                .containsEntry(IngressRouteDefinitions.INGRESS_NAMESPACE, "ns")
                .containsEntry(IngressRouteDefinitions.INGRESS_NAME, "web");
        assertThat(routes.get(3).getMetadata()).containsEntry(IngressRouteDefinitions.KIND, "DEFAULT")
                .containsEntry(IngressRouteDefinitions.MODEL_DEFAULT, true);
        assertThat(routes.get(4).getUri()).isEqualTo(IngressRouteDefinitions.NOT_FOUND_URI);
        // The IngressRule predicate is the route's own: it matches its host and path, element-wise.
        assertThat(matches(rule, "A.test:8080", "/x/1")).isTrue();
        assertThat(matches(rule, "a.test", "/xy")).isFalse();
        assertThat(matches(rule, "b.test", "/x")).isFalse();
        assertThat(matches(routes.get(4), "any.test", "/")).isTrue();
        assertThat(locator.getRoutes().collectList().block()).isEqualTo(routes);
    }

    @Test
    void changingOneRouteConvertsOnlyThatRouteAndKeepsTheOthersAsTheyAre() {
        IngressRouteLocator locator = new IngressRouteLocator();
        Map<String, List<String>> hosts = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            hosts.put("h" + i + ".test", List.of("/a", "/b"));
        }
        locator.update(IngressRouteDefinitions.from(model(hosts, null)));
        List<org.springframework.cloud.gateway.route.Route> before = locator.routes();

        // A different upstream for one route in the middle: only that route is new.
        RouteModel changed = model(hosts, null, "h25.test|PREFIX|/b", "ns/other:80");
        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(changed));

        assertThat(update).isEqualTo(new IngressRouteLocator.Update(true, 1, before.size() - 1, 0));
        List<org.springframework.cloud.gateway.route.Route> after = locator.routes();
        for (int i = 0; i < after.size(); i++) {
            if (after.get(i).getId().equals("h25.test|PREFIX|/b")) {
                assertThat(after.get(i)).isNotSameAs(before.get(i));
                assertThat(after.get(i).getMetadata()).containsEntry(IngressRouteDefinitions.UPSTREAM, "ns/other:80");
            } else {
                assertThat(after.get(i)).isSameAs(before.get(i));
            }
        }
    }

    @Test
    void insertingARouteConvertsOnlyThatRouteAndKeepsEveryOtherInstance() {
        IngressRouteLocator locator = new IngressRouteLocator();
        Map<String, List<String>> hosts = new HashMap<>(Map.of("a.test", List.of("/a"), "b.test", List.of("/b"),
                "c.test", List.of("/c")));
        locator.update(IngressRouteDefinitions.from(model(hosts, null)));
        Map<String, org.springframework.cloud.gateway.route.Route> before = byId(locator.routes());

        hosts.put("a.test", List.of("/a/longer", "/a"));
        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(model(hosts, null)));

        // a.test /a/longer is new and comes first (longest path first); every later route stays as it was.
        assertThat(update).isEqualTo(new IngressRouteLocator.Update(true, 1, 4, 0));
        List<org.springframework.cloud.gateway.route.Route> after = locator.routes();
        assertThat(after).extracting(org.springframework.cloud.gateway.route.Route::getId).containsExactly(
                "a.test|PREFIX|/a/longer", "a.test|PREFIX|/a", "b.test|PREFIX|/b", "c.test|PREFIX|/c", "not-found");
        assertThat(after.get(0)).isNotIn(before.values());
        for (org.springframework.cloud.gateway.route.Route route : after.subList(1, after.size())) {
            assertThat(route).isSameAs(before.get(route.getId()));
        }
    }

    @Test
    void theGatewaysCachingLocatorListsTheRoutesInPrecedenceOrder() {
        IngressRouteLocator locator = new IngressRouteLocator();
        Map<String, List<String>> hosts = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            hosts.put("h" + i + ".test", List.of("/a/b", "/a", "/"));
        }
        locator.update(IngressRouteDefinitions.from(model(hosts, "ns/default:80")));
        hosts.put("h17.test", List.of("/a/b/c", "/a/b", "/a", "/"));
        locator.update(IngressRouteDefinitions.from(model(hosts, "ns/default:80")));
        // Another locator's route of the same order, as one configured in properties would be.
        org.springframework.cloud.gateway.route.Route other = org.springframework.cloud.gateway.route.Route.async()
                .id("other").uri("http://other.test").order(IngressRouteLocator.ORDER)
                .predicate(exchange -> false).build();
        List<Object> events = new ArrayList<>();
        org.springframework.cloud.gateway.route.CachingRouteLocator caching =
                new org.springframework.cloud.gateway.route.CachingRouteLocator(
                        new org.springframework.cloud.gateway.route.CompositeRouteLocator(reactor.core.publisher.Flux
                                .just(() -> reactor.core.publisher.Flux.just(other), locator)));
        caching.setApplicationEventPublisher(events::add);

        caching.onApplicationEvent(new RefreshRoutesEvent(this));

        // The gateway's own refresh (collect from every locator, sort by order) keeps each locator's sequence.
        List<org.springframework.cloud.gateway.route.Route> expected = new ArrayList<>();
        expected.add(other);
        expected.addAll(locator.routes());
        assertThat(caching.getRoutes().collectList().block()).containsExactlyElementsOf(expected);
        // The route inserted last is in the middle, in its host's precedence, not at the end.
        List<String> ids = locator.routes().stream().map(org.springframework.cloud.gateway.route.Route::getId).toList();
        int inserted = ids.indexOf("h17.test|PREFIX|/a/b/c");
        assertThat(inserted).isBetween(1, ids.size() - 10);
        assertThat(ids.get(inserted + 1)).isEqualTo("h17.test|PREFIX|/a/b");
        assertThat(events).hasSize(1);
    }

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
        IngressRouteHandlerMapping.RouteIndex index = new IngressRouteHandlerMapping.RouteIndex(locator.routes());
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
            RouteModel model = new RouteModel(hosts, Map.of(), step % 2 == 0 ? null : "ns/default:80", List.of(),
                    step);

            routeModel.onModel(state(model));

            IngressRouteLocator fresh = new IngressRouteLocator();
            fresh.update(IngressRouteDefinitions.from(model));
            assertThat(locator.routes()).extracting(org.springframework.cloud.gateway.route.Route::getId)
                    .containsExactlyElementsOf(fresh.routes().stream()
                            .map(org.springframework.cloud.gateway.route.Route::getId).toList());
            for (int i = 0; i < fresh.routes().size(); i++) {
                assertThat(locator.routes().get(i).getMetadata()).isEqualTo(fresh.routes().get(i).getMetadata());
            }
            for (VirtualHost host : kept.keySet()) {
                for (Route route : host.routes()) {
                    assertThat(byId(locator.routes()).get(route.id())).isSameAs(before.get(route.id()));
                }
            }
            // The handler mapping's index, built from the previous one, finds what one built afresh finds.
            index = new IngressRouteHandlerMapping.RouteIndex(locator.routes(), index);
            IngressRouteHandlerMapping.RouteIndex afresh = new IngressRouteHandlerMapping.RouteIndex(
                    locator.routes());
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
        IngressRouteHandlerMapping.RouteIndex index = new IngressRouteHandlerMapping.RouteIndex(locator.routes());

        MockServerWebExchange first = exchange("shop.test", "/a/1");
        org.springframework.cloud.gateway.route.Route route = index.find(first).block();
        RouteState state = first.getAttribute(RouteState.ATTR);
        assertThat(route.getId()).isEqualTo("shop.test|PREFIX|/a");
        assertThat(state.route()).isSameAs(route);

        // Another host changed: the index is rebuilt, the route and its state stay.
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b"), shop), Map.of(), null,
                List.of(), 1)));
        index = new IngressRouteHandlerMapping.RouteIndex(locator.routes(), index);
        MockServerWebExchange second = exchange("shop.test", "/a/2");
        assertThat(index.find(second).block()).isSameAs(route);
        assertThat((RouteState) second.getAttribute(RouteState.ATTR)).isSameAs(state);

        // The route went away and came back: a new route object, with a new state.
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b")), Map.of(), null,
                List.of(), 2)));
        index = new IngressRouteHandlerMapping.RouteIndex(locator.routes(), index);
        routeModel.onModel(state(new RouteModel(List.of(virtualHost("blog.test", "/b"),
                virtualHost("shop.test", "/a")), Map.of(), null, List.of(), 3)));
        index = new IngressRouteHandlerMapping.RouteIndex(locator.routes(), index);
        MockServerWebExchange third = exchange("shop.test", "/a/3");
        org.springframework.cloud.gateway.route.Route changed = index.find(third).block();
        RouteState changedState = third.getAttribute(RouteState.ATTR);
        assertThat(changed).isNotSameAs(route);
        assertThat(changedState).isNotSameAs(state);
        assertThat(changedState.route()).isSameAs(changed);
    }

    private static MockServerWebExchange exchange(String host, String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host));
    }

    private static org.springframework.cloud.gateway.route.Route find(IngressRouteHandlerMapping.RouteIndex index,
                                                                      String host, String path) {
        return index.find(MockServerWebExchange.from(MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host)))
                .block();
    }

    @Test
    void aDuplicateIdIsRefusedAndTheRoutesStayAsTheyWere() {
        IngressRouteLocator locator = new IngressRouteLocator();
        List<IngressRouteDefinition> definitions = IngressRouteDefinitions.from(
                model(Map.of("a.test", List.of("/x"), "b.test", List.of("/y")), null));
        locator.update(definitions);
        List<org.springframework.cloud.gateway.route.Route> routes = locator.routes();

        List<IngressRouteDefinition> duplicated = new ArrayList<>(definitions);
        duplicated.add(1, definitions.get(0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> locator.update(duplicated))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.test|PREFIX|/x");
        assertThat(locator.routes()).isSameAs(routes);

        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(
                model(Map.of("b.test", List.of("/y")), null)));
        assertThat(update.removed()).isEqualTo(1);
        assertThat(locator.routes()).extracting(org.springframework.cloud.gateway.route.Route::getId)
                .containsExactly("b.test|PREFIX|/y", "not-found");
        assertThat(locator.routes().get(0)).isSameAs(routes.get(1));
    }

    @Test
    void equalDefinitionsChangeNothing() {
        IngressRouteLocator locator = new IngressRouteLocator();
        RouteModel model = model(Map.of("a.test", List.of("/x")), null);
        locator.update(IngressRouteDefinitions.from(model));
        List<org.springframework.cloud.gateway.route.Route> routes = locator.routes();

        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(model));

        assertThat(update.changed()).isFalse();
        assertThat(locator.routes()).isSameAs(routes);
    }

    @Test
    void removedRoutesAreGone() {
        IngressRouteLocator locator = new IngressRouteLocator();
        locator.update(IngressRouteDefinitions.from(model(Map.of("a.test", List.of("/x"), "b.test",
                List.of("/y")), null)));

        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(
                model(Map.of("a.test", List.of("/x")), null)));

        assertThat(update.removed()).isEqualTo(1);
        assertThat(locator.routes()).extracting(org.springframework.cloud.gateway.route.Route::getId)
                .containsExactly("a.test|PREFIX|/x", "not-found");
    }

    @Test
    void endpointOnlyChangesRefreshNoRoutesWhileRouteChangesDo() {
        List<Object> events = new ArrayList<>();
        IngressRouteLocator locator = new IngressRouteLocator();
        GatewayRouteModel routeModel = new GatewayRouteModel(events::add, new RoundRobinBalancer(), locator);
        Map<String, List<String>> hosts = Map.of("a.test", List.of("/x"), "b.test", List.of("/y"));

        routeModel.onModel(state(model(hosts, "ns/default:80")));
        assertThat(events).hasSize(1).first().isInstanceOf(RefreshRoutesEvent.class);
        List<org.springframework.cloud.gateway.route.Route> routes = locator.routes();

        // Same routes, other endpoints: served at once from the model, no refresh, routes untouched.
        RouteModel scaled = withEndpoints(model(hosts, "ns/default:80"), List.of(new Endpoint("10.0.0.9", 8080),
                new Endpoint("10.0.0.10", 8080)));
        routeModel.onModel(state(scaled));
        assertThat(events).hasSize(1);
        assertThat(locator.routes()).isSameAs(routes);
        assertThat(routeModel.upstream("ns/a.test:80").endpoints()).hasSize(2);

        routeModel.onModel(state(model(Map.of("a.test", List.of("/x")), "ns/default:80")));
        assertThat(events).hasSize(2);
        assertThat(locator.routes()).hasSize(3);
        // A route of the previous model still finds its upstream until the gateway has swapped its routes.
        assertThat(routeModel.upstream("ns/b.test:80")).isNotNull();
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

        locator.update(IngressRouteDefinitions.from(model(Map.of("a.test", List.of("/x")), "ns/default:80")));
        caching.onApplicationEvent(new RefreshRoutesEvent(this));
        mapping.onApplicationEvent(new org.springframework.cloud.gateway.event.RefreshRoutesResultEvent(caching));
        assertThat(routeFor(mapping, "a.test", "/x/1")).isEqualTo("a.test|PREFIX|/x");
        assertThat(routeFor(mapping, "a.test", "/other")).as("other routes are tried first").isEqualTo("other");

        // A new Ingress route: served as soon as the locator has it, with no refresh of the gateway's routes yet.
        locator.update(IngressRouteDefinitions.from(model(Map.of("a.test", List.of("/x"), "b.test", List.of("/y")),
                "ns/default:80")));
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

    private static boolean matches(org.springframework.cloud.gateway.route.Route route, String host, String path) {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get(path).header(HttpHeaders.HOST, host));
        return Boolean.TRUE.equals(reactor.core.publisher.Mono.from(route.getPredicate().apply(exchange)).block());
    }

    private static Map<String, org.springframework.cloud.gateway.route.Route> byId(
            List<org.springframework.cloud.gateway.route.Route> routes) {
        Map<String, org.springframework.cloud.gateway.route.Route> byId = new HashMap<>();
        routes.forEach(route -> byId.put(route.getId(), route));
        return byId;
    }

    private static VirtualHost virtualHost(String host, String... paths) {
        List<Route> routes = new ArrayList<>();
        for (String path : paths) {
            routes.add(new Route(host + "|PREFIX|" + path, HostMatch.of(host), PathMatch.prefix(path), INGRESS,
                    "ns/" + host + ":80", null));
        }
        return new VirtualHost(HostMatch.of(host), routes, null);
    }

    private static PipelineState state(RouteModel model) {
        return new PipelineState(ClusterSnapshot.EMPTY, model);
    }

    /** Hosts in name order, paths in the order given, each host's upstream {@code ns/<host>:80}. */
    private static RouteModel model(Map<String, List<String>> hosts, String defaultKey) {
        return model(hosts, defaultKey, null, null);
    }

    private static RouteModel model(Map<String, List<String>> hosts, String defaultKey, String overrideRouteId,
                                    String overrideUpstream) {
        List<VirtualHost> virtualHosts = new ArrayList<>();
        Map<String, Upstream> upstreams = new HashMap<>();
        hosts.keySet().stream().sorted().forEach(host -> {
            List<Route> routes = new ArrayList<>();
            for (String path : hosts.get(host)) {
                PathMatch match = PathMatch.prefix(path);
                String id = host + "|" + match.type() + "|" + match.path();
                String upstream = id.equals(overrideRouteId) ? overrideUpstream : "ns/" + host + ":80";
                routes.add(new Route(id, HostMatch.of(host), match, INGRESS, upstream, null));
                upstreams.put(upstream, upstream(upstream, List.of(new Endpoint("10.0.0.1", 8080))));
            }
            virtualHosts.add(new VirtualHost(HostMatch.of(host), routes, null));
        });
        if (defaultKey != null) {
            upstreams.put(defaultKey, upstream(defaultKey, List.of(new Endpoint("10.0.0.2", 8080))));
        }
        return new RouteModel(virtualHosts, upstreams, defaultKey, List.of(), 1);
    }

    private static RouteModel withEndpoints(RouteModel model, List<Endpoint> endpoints) {
        Map<String, Upstream> upstreams = new HashMap<>();
        model.upstreams().forEach((key, upstream) -> upstreams.put(key, upstream(key, endpoints)));
        return new RouteModel(model.virtualHosts(), upstreams, model.defaultUpstreamKey(), model.ingresses(),
                model.revision() + 1);
    }

    private static Upstream upstream(String key, List<Endpoint> endpoints) {
        String namespace = key.substring(0, key.indexOf('/'));
        String service = key.substring(key.indexOf('/') + 1, key.indexOf(':'));
        return new Upstream(key, namespace, service, "80", endpoints, false);
    }
}
