package io.ingressgateway.gateway.route;

import static io.ingressgateway.support.Models.INGRESS;
import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Models.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.support.Models;
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
public class IngressRouteLocatorTest {

    private static final UpstreamKey DEFAULT = key("ns", "default", "80");

    @Test
    void firstUpdateConvertsEveryRouteLikeTheGatewayWould() {
        IngressRouteLocator locator = new IngressRouteLocator();
        RouteModel model = model(Map.of("a.test", List.of("/x", "/"), "b.test", List.of("/y")), DEFAULT);

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
        // Each route comes with its served route, typed: what requests and filters read.
        ServedRoute served = locator.served().get(0);
        assertThat(served.route()).isSameAs(rule);
        assertThat(served.kind()).isEqualTo(Kind.RULE);
        assertThat(served.rule()).isSameAs(model.virtualHosts().get(0).routes().get(0));
        assertThat(served.upstreamKey()).isEqualTo(key("ns", "a.test", "80"));
        assertThat(locator.served()).extracting(ServedRoute::route).containsExactlyElementsOf(routes);
        assertThat(locator.served().get(3).kind()).isEqualTo(Kind.DEFAULT);
        assertThat(locator.served().get(3).upstreamKey()).isEqualTo(DEFAULT);
        assertThat(locator.served().get(3).definition().modelDefault()).isTrue();
        assertThat(locator.served().get(4).kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(routes).allMatch(IngressRouteLocator::isIngressRoute);
        // The metadata says the same for operators reading /actuator/gateway/routes.
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
        RouteModel changed = model(hosts, null, "h25.test|PREFIX|/b", key("ns", "other", "80"));
        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(changed));

        assertThat(update).isEqualTo(new IngressRouteLocator.Update(true, 1, before.size() - 1, 0));
        List<org.springframework.cloud.gateway.route.Route> after = locator.routes();
        for (int i = 0; i < after.size(); i++) {
            if (after.get(i).getId().equals("h25.test|PREFIX|/b")) {
                assertThat(after.get(i)).isNotSameAs(before.get(i));
                assertThat(locator.served().get(i).upstreamKey()).isEqualTo(key("ns", "other", "80"));
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
        locator.update(IngressRouteDefinitions.from(model(hosts, DEFAULT)));
        hosts.put("h17.test", List.of("/a/b/c", "/a/b", "/a", "/"));
        locator.update(IngressRouteDefinitions.from(model(hosts, DEFAULT)));
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

        routeModel.onModel(state(model(hosts, DEFAULT)));
        assertThat(events).hasSize(1).first().isInstanceOf(RefreshRoutesEvent.class);
        List<org.springframework.cloud.gateway.route.Route> routes = locator.routes();

        // Same routes, other endpoints: served at once from the model, no refresh, routes untouched.
        RouteModel scaled = withEndpoints(model(hosts, DEFAULT), List.of(new Endpoint("10.0.0.9", 8080),
                new Endpoint("10.0.0.10", 8080)));
        routeModel.onModel(state(scaled));
        assertThat(events).hasSize(1);
        assertThat(locator.routes()).isSameAs(routes);
        assertThat(routeModel.upstream(key("ns", "a.test", "80")).endpoints()).hasSize(2);

        routeModel.onModel(state(model(Map.of("a.test", List.of("/x")), DEFAULT)));
        assertThat(events).hasSize(2);
        assertThat(locator.routes()).hasSize(3);
        // A route of the previous model still finds its upstream until the gateway has swapped its routes.
        assertThat(routeModel.upstream(key("ns", "b.test", "80"))).isNotNull();
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

    /** Hosts in name order, paths in the order given, each host's upstream {@code ns/<host>:80}. */
    public static RouteModel model(Map<String, List<String>> hosts, UpstreamKey defaultKey) {
        return model(hosts, defaultKey, null, null);
    }

    private static RouteModel model(Map<String, List<String>> hosts, UpstreamKey defaultKey, String overrideRouteId,
                                    UpstreamKey overrideUpstream) {
        List<VirtualHost> virtualHosts = new ArrayList<>();
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        hosts.keySet().stream().sorted().forEach(host -> {
            List<Route> routes = new ArrayList<>();
            for (String path : hosts.get(host)) {
                PathMatch match = PathMatch.prefix(path);
                String id = Models.routeId(HostMatch.of(host), match);
                UpstreamKey upstream = id.equals(overrideRouteId) ? overrideUpstream : key("ns", host, "80");
                routes.add(Models.route(host, match, INGRESS, upstream));
                upstreams.put(upstream, Models.upstream(upstream, new Endpoint("10.0.0.1", 8080)));
            }
            virtualHosts.add(new VirtualHost(HostMatch.of(host), routes, null));
        });
        if (defaultKey != null) {
            upstreams.put(defaultKey, Models.upstream(defaultKey, new Endpoint("10.0.0.2", 8080)));
        }
        return new RouteModel(virtualHosts, upstreams, defaultKey, List.of(), 1);
    }

    private static RouteModel withEndpoints(RouteModel model, List<Endpoint> endpoints) {
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        model.upstreams().forEach((key, upstream) -> upstreams.put(key, new Upstream(key, endpoints, false)));
        return new RouteModel(model.virtualHosts(), upstreams, model.defaultUpstreamKey(), model.ingresses(),
                model.revision() + 1);
    }
}
