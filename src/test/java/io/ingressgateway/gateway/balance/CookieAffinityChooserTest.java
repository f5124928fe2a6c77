package io.ingressgateway.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.BalancePolicy.CookieAffinity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpCookie;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

/** Cookie affinity's choice and cookie, balanced and persistent, without the gateway around it. */
class CookieAffinityChooserTest {

    private static final UpstreamKey UPSTREAM = new UpstreamKey("apps", "web", "80");
    private static final String SERVED = "served endpoint";

    private static CookieAffinity affinity(boolean persistent) {
        return new CookieAffinity("INGRESSCOOKIE", null, null, null, null, null, null, false, false, persistent);
    }

    private static List<Endpoint> endpoints(int count) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            endpoints.add(new Endpoint("10.0.0." + (i + 1), 8080));
        }
        return endpoints;
    }

    private record Choice(int index, String setCookie) {
        /** The cookie's value, from the Set-Cookie header. */
        String value() {
            return setCookie.substring("INGRESSCOOKIE=".length(), setCookie.indexOf(';'));
        }
    }

    private static Choice choose(CookieAffinityChooser chooser, String cookie) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/app/page");
        if (cookie != null) {
            request.cookie(new HttpCookie("INGRESSCOOKIE", cookie));
        }
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        int index = chooser.choose(exchange);
        return new Choice(index, exchange.getAttribute(CookieAffinityChooser.SET_COOKIE_ATTR));
    }

    @Test
    void aFirstRequestGetsACookieNamingItsEndpointByHashAndHttpOnlyWithTheRoutePath() {
        List<Endpoint> endpoints = endpoints(3);
        Choice first = choose(new CookieAffinityChooser(affinity(false), "/app", UPSTREAM, endpoints, SERVED), null);

        assertThat(first.setCookie()).startsWith("INGRESSCOOKIE=").contains("; Path=/app").contains("; HttpOnly")
                .doesNotContain("Secure").doesNotContain("SameSite");
        assertThat(first.value()).matches("[0-9a-f]{16}\\.[0-9a-f]{16}")
                .endsWith(CookieAffinityChooser.token(UPSTREAM, endpoints.get(first.index())))
                .doesNotContain("10.0.0");
    }

    @Test
    void theCookieKeepsTheClientOnItsEndpointAndIsNotSetAgain() {
        for (boolean persistent : new boolean[] {false, true}) {
            CookieAffinityChooser chooser = new CookieAffinityChooser(affinity(persistent), "/", UPSTREAM,
                    endpoints(3), SERVED);
            Choice first = choose(chooser, null);
            for (int i = 0; i < 20; i++) {
                Choice next = choose(chooser, first.value());
                assertThat(next.index()).isEqualTo(first.index());
                assertThat(next.setCookie()).isNull();
            }
        }
    }

    @Test
    void newClientsSpreadOverTheEndpoints() {
        CookieAffinityChooser chooser = new CookieAffinityChooser(affinity(false), "/", UPSTREAM, endpoints(3), SERVED);
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            used.add(choose(chooser, null).index());
        }
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void whenTheEndpointLeavesTheClientMovesAndTheCookieNamesTheNewOne() {
        for (boolean persistent : new boolean[] {false, true}) {
            List<Endpoint> three = endpoints(3);
            Choice first = choose(new CookieAffinityChooser(affinity(persistent), "/", UPSTREAM, three, SERVED), null);
            Endpoint gone = three.get(first.index());
            List<Endpoint> two = new ArrayList<>(three);
            two.remove(gone);
            CookieAffinityChooser after = new CookieAffinityChooser(affinity(persistent), "/", UPSTREAM, two, SERVED);

            Choice moved = choose(after, first.value());

            assertThat(moved.setCookie()).isNotNull();
            assertThat(moved.value()).isNotEqualTo(first.value())
                    .endsWith(CookieAffinityChooser.token(UPSTREAM, two.get(moved.index())));
            assertThat(choose(after, moved.value()).index()).isEqualTo(moved.index());
        }
    }

    @Test
    void persistentNeverMovesAClientWhenEndpointsAreAddedBalancedMovesSome() {
        List<Endpoint> three = endpoints(3);
        List<Endpoint> ten = endpoints(10);
        int balancedMoved = 0;
        for (boolean persistent : new boolean[] {false, true}) {
            CookieAffinityChooser before = new CookieAffinityChooser(affinity(persistent), "/", UPSTREAM, three, SERVED);
            CookieAffinityChooser after = new CookieAffinityChooser(affinity(persistent), "/", UPSTREAM, ten, SERVED);
            int moved = 0;
            for (int i = 0; i < 200; i++) {
                Choice first = choose(before, null);
                Choice later = choose(after, first.value());
                if (!ten.get(later.index()).equals(three.get(first.index()))) {
                    moved++;
                }
            }
            if (persistent) {
                assertThat(moved).isZero();
            } else {
                balancedMoved = moved;
            }
        }
        // Seven new endpoints of ten: about 70% of balanced clients move to one of them.
        assertThat(balancedMoved).isBetween(80, 190);
    }

    @Test
    void aCookieThatIsNotOursIsReplaced() {
        CookieAffinityChooser chooser = new CookieAffinityChooser(affinity(false), "/", UPSTREAM, endpoints(3), SERVED);

        for (String junk : new String[] {"", "abc", "zzzzzzzzzzzzzzzz.0123456789abcdef", "10.0.0.1:8080"}) {
            assertThat(choose(chooser, junk).setCookie()).as(junk).isNotNull();
        }
    }

    @Test
    void everyAttributeOfTheAnnotationsIsWritten() {
        CookieAffinity all = new CookieAffinity("INGRESSCOOKIE", "/shop", "example.com", null, 3600L, true, "Strict",
                false, false, false);
        String header = choose(new CookieAffinityChooser(all, "/ignored", UPSTREAM, endpoints(2), SERVED), null).setCookie();

        assertThat(header).contains("; Path=/shop").contains("; Domain=example.com").contains("; Max-Age=3600")
                .contains("; Expires=").contains("; Secure").contains("; HttpOnly").contains("; SameSite=Strict");
    }

    @Test
    void expiresAloneIsWrittenWithoutMaxAge() {
        CookieAffinity expires = new CookieAffinity("INGRESSCOOKIE", null, null, 172800L, null, null, null, false,
                false, false);
        String header = choose(new CookieAffinityChooser(expires, "/", UPSTREAM, endpoints(2), SERVED), null).setCookie();

        assertThat(header).contains("; Expires=").doesNotContain("Max-Age");
    }

    @Test
    void conditionalSameSiteNoneLeavesItOutForClientsThatMishandleIt() {
        CookieAffinity none = new CookieAffinity("INGRESSCOOKIE", null, null, null, null, true, "None", true, false,
                false);
        CookieAffinityChooser chooser = new CookieAffinityChooser(none, "/", UPSTREAM, endpoints(2), SERVED);
        String oldChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/62.0.3202.94 Safari/537.36";
        String newChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
                + " Chrome/120.0.0.0 Safari/537.36";

        assertThat(setCookieFor(chooser, oldChrome)).doesNotContain("SameSite");
        assertThat(setCookieFor(chooser, newChrome)).contains("; SameSite=None");
    }

    @Test
    void changeOnFailureNamesTheEndpointARetryMovedTheRequestTo() {
        List<Endpoint> three = endpoints(3);
        for (boolean persistent : new boolean[] {false, true}) {
            for (boolean changeOnFailure : new boolean[] {false, true}) {
                CookieAffinity affinity = new CookieAffinity("INGRESSCOOKIE", null, null, null, null, null, null,
                        false, changeOnFailure, persistent);
                CookieAffinityChooser chooser = new CookieAffinityChooser(affinity, "/", UPSTREAM, three, SERVED);
                Choice pinned = choose(chooser, null);
                int other = (pinned.index() + 1) % 3;

                // A request carrying the cookie; its endpoint refuses and the retry is served by another.
                MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/")
                        .cookie(new HttpCookie("INGRESSCOOKIE", pinned.value())));
                int chosen = chooser.choose(exchange);
                assertThat(chosen).isEqualTo(pinned.index());
                chooser.around(exchange, chosen, Mono.fromRunnable(
                                () -> exchange.getAttributes().put(SERVED, three.get(other)))
                        .then(Mono.defer(() -> exchange.getResponse().setComplete()))).block();
                String header = exchange.getResponse().getHeaders().getFirst("Set-Cookie");

                if (!changeOnFailure) {
                    assertThat(header).isNull();
                    continue;
                }
                assertThat(header).isNotNull();
                String value = header.substring("INGRESSCOOKIE=".length(), header.indexOf(';'));
                assertThat(value).endsWith(CookieAffinityChooser.token(UPSTREAM, three.get(other)));
                // The new cookie leads there next time, in either mode.
                assertThat(choose(chooser, value).index()).isEqualTo(other);
            }
        }
    }

    private static String setCookieFor(CookieAffinityChooser chooser, String userAgent) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/")
                .header("User-Agent", userAgent));
        chooser.choose(exchange);
        return exchange.getAttribute(CookieAffinityChooser.SET_COOKIE_ATTR);
    }
}
