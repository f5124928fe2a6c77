package io.ingressgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    @Test
    void aNullValueIsKeptAsAValue() {
        AtomicInteger calls = new AtomicInteger();
        PerRouteCache<String> none = new PerRouteCache<>(RouteState.Slot.GUARD, route -> {
            calls.incrementAndGet();
            return null;
        });
        RouteState state = new RouteState(a);
        Object version = new Object();
        assertThat(none.get(carrying(state), a, version)).isNull();
        assertThat(none.get(carrying(state), a, version)).isNull();
        assertThat(calls).hasValue(1);
    }

    /**
     * A slot written over and over, each time for a new version, while other threads read it: a read for a version
     * gives that version's value or nothing, never the value of the version before or after it.
     */
    @Test
    void aReaderNeverTakesTheValueOfAnotherVersion() throws Exception {
        RouteState state = new RouteState(a);
        record Version(int number) {
        }
        AtomicReference<Version> latest = new AtomicReference<>();
        AtomicReference<String> wrong = new AtomicReference<>();
        int writes = 200_000;
        Thread writer = new Thread(() -> {
            for (int i = 0; i < writes && wrong.get() == null; i++) {
                Version version = new Version(i);
                state.put(RouteState.Slot.TIMERS, version, "value " + i);
                latest.set(version);
            }
        });
        Runnable reader = () -> {
            while (writer.isAlive() && wrong.get() == null) {
                Version version = latest.get();
                if (version == null) {
                    continue;
                }
                Object value = state.get(RouteState.Slot.TIMERS, version);
                if (value != RouteState.ABSENT && !value.equals("value " + version.number())) {
                    wrong.set(value + " for version " + version.number());
                }
            }
        };
        Thread first = new Thread(reader);
        Thread second = new Thread(reader);
        writer.start();
        first.start();
        second.start();
        writer.join();
        first.join();
        second.join();
        assertThat(wrong.get()).isNull();
        assertThat(state.get(RouteState.Slot.TIMERS, latest.get())).isEqualTo("value " + (writes - 1));
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
