package io.ingressgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

class PerRouteCacheTest {

    final Route a = route("a");
    final Route b = route("b");
    final AtomicInteger computed = new AtomicInteger();
    final PerRouteCache<String> cache = new PerRouteCache<>(RouteState.Slot.UPSTREAM,
            route -> route.getId() + computed.incrementAndGet());

    @Test
    void aValueIsKeptInTheStateTheRequestCarriesForOneVersion() {
        RouteState state = new RouteState(a);
        Object first = new Object();

        assertThat(cache.get(carrying(state), a, first)).isEqualTo("a1");
        assertThat(cache.get(carrying(state), a, first)).isEqualTo("a1");
        assertThat(cache.size()).as("nothing kept by id").isZero();

        Object second = new Object();
        assertThat(cache.get(carrying(state), a, second)).isEqualTo("a2");
        assertThat(cache.get(carrying(state), a, second)).isEqualTo("a2");
        assertThat(computed).hasValue(2);
    }

    @Test
    void aRequestWithoutTheStateOfItsRouteIsServedById() {
        Object version = new Object();
        // A state of another route (stale, or set by something else) is not used.
        assertThat(cache.get(carrying(new RouteState(a)), b, version)).isEqualTo("b1");
        assertThat(cache.get(MockServerWebExchange.from(MockServerHttpRequest.get("/")), b, version)).isEqualTo("b1");
        assertThat(cache.size()).isEqualTo(1);
        // A new version empties what is kept by id.
        assertThat(cache.get(b, new Object())).isEqualTo("b2");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void eachSlotKeepsItsOwnValue() {
        PerRouteCache<String> guards = new PerRouteCache<>(RouteState.Slot.GUARD, route -> "guard of " + route.getId());
        RouteState state = new RouteState(a);
        Object version = new Object();

        assertThat(cache.get(carrying(state), a, version)).isEqualTo("a1");
        assertThat(guards.get(carrying(state), a, version)).isEqualTo("guard of a");
        assertThat(cache.get(carrying(state), a, version)).isEqualTo("a1");
    }

    private static MockServerWebExchange carrying(RouteState state) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
        exchange.getAttributes().put(RouteState.ATTR, state);
        return exchange;
    }

    private static Route route(String id) {
        return Route.async().id(id).uri("http://127.0.0.1:1").predicate(exchange -> true).build();
    }
}
