package io.ingressgateway.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
    static final ServedRoute.Slot VALUES = ServedRoute.Slot.allocate("test values");
    static final ServedRoute.Slot GUARDS = ServedRoute.Slot.allocate("test guards");
    static final ServedRoute.Slot NONE = ServedRoute.Slot.allocate("test nulls");
    static final ServedRoute.Slot RACED = ServedRoute.Slot.allocate("test race");
    /** Past the slots a served route holds in fields. */
    static final ServedRoute.Slot[] MORE = {ServedRoute.Slot.allocate("test 5"), ServedRoute.Slot.allocate("test 6"),
            ServedRoute.Slot.allocate("test 7")};

    final PerRouteCache<String> cache = new PerRouteCache<>(VALUES,
            (route, served) -> route.getId() + computed.incrementAndGet());

    @Test
    void aValueIsKeptInTheStateTheRequestCarriesForOneVersion() {
        ServedRoute state = served(a);
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
        assertThat(cache.get(carrying(served(a)), b, version)).isEqualTo("b1");
        assertThat(cache.get(MockServerWebExchange.from(MockServerHttpRequest.get("/")), b, version)).isEqualTo("b1");
        assertThat(cache.size()).isEqualTo(1);
        // A new version empties what is kept by id.
        assertThat(cache.get(b, new Object())).isEqualTo("b2");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void eachSlotKeepsItsOwnValue() {
        PerRouteCache<String> guards = new PerRouteCache<>(GUARDS, (route, served) -> "guard of " + route.getId());
        ServedRoute state = served(a);
        Object version = new Object();

        assertThat(cache.get(carrying(state), a, version)).isEqualTo("a1");
        assertThat(guards.get(carrying(state), a, version)).isEqualTo("guard of a");
        assertThat(cache.get(carrying(state), a, version)).isEqualTo("a1");
    }

    @Test
    void slotsPastTheFieldOnesKeepTheirValuesToo() {
        ServedRoute state = served(a);
        Object version = new Object();
        for (ServedRoute.Slot slot : MORE) {
            new PerRouteCache<>(slot, (route, served) -> slot.toString()).get(state, version);
        }
        for (ServedRoute.Slot slot : MORE) {
            assertThat(new PerRouteCache<>(slot, (route, served) -> "recomputed").get(state, version))
                    .isEqualTo(slot.toString());
            assertThat(new PerRouteCache<>(slot, (route, served) -> "recomputed").get(state, new Object()))
                    .isEqualTo("recomputed");
        }
        assertThat(cache.get(state, version)).isEqualTo("a1");
    }

    @Test
    void aNullValueIsKeptAsAValue() {
        AtomicInteger calls = new AtomicInteger();
        PerRouteCache<String> none = new PerRouteCache<>(NONE, (route, served) -> {
            calls.incrementAndGet();
            return null;
        });
        ServedRoute state = served(a);
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
        ServedRoute state = served(a);
        record Version(int number) {
        }
        AtomicReference<Version> latest = new AtomicReference<>();
        AtomicReference<String> wrong = new AtomicReference<>();
        int writes = 200_000;
        Thread writer = new Thread(() -> {
            for (int i = 0; i < writes && wrong.get() == null; i++) {
                Version version = new Version(i);
                state.put(RACED, version, "value " + i);
                latest.set(version);
            }
        });
        Runnable reader = () -> {
            while (writer.isAlive() && wrong.get() == null) {
                Version version = latest.get();
                if (version == null) {
                    continue;
                }
                Object value = state.get(RACED, version);
                if (value != ServedRoute.ABSENT && !value.equals("value " + version.number())) {
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
        assertThat(state.get(RACED, latest.get())).isEqualTo("value " + (writes - 1));
    }

    private static MockServerWebExchange carrying(ServedRoute state) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/"));
        exchange.getAttributes().put(ServedRoute.ATTR, state);
        return exchange;
    }

    private static ServedRoute served(Route route) {
        return new ServedRoute(new IngressRouteDefinition(route.getId(), IngressRouteDefinitions.Kind.NOT_FOUND, null,
                null, List.of(), false), route);
    }

    private static Route route(String id) {
        return Route.async().id(id).uri("http://127.0.0.1:1").predicate(exchange -> true).build();
    }
}
