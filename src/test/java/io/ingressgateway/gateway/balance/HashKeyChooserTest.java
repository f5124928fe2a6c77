package io.ingressgateway.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.policy.BalancePolicy.HashKey;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part.Kind;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpCookie;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/** upstream-hash-by's key: each variable evaluated as nginx does, absent ones empty; equal keys, one endpoint. */
class HashKeyChooserTest {

    private static HashKey key(Part... parts) {
        return new HashKey(List.of(parts), "written");
    }

    private static final MockServerWebExchange EXCHANGE = MockServerWebExchange.from(
            MockServerHttpRequest.get("http://Shop.Example.com:8080/cart/items?tenant=acme&page=2")
                    .header("X-User", "alice")
                    .cookie(new HttpCookie("session", "s-42"))
                    .remoteAddress(new InetSocketAddress("192.0.2.7", 51000)));

    @Test
    void eachVariableIsEvaluatedFromTheRequest() {
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.REMOTE_ADDR, null)), EXCHANGE)).isEqualTo("192.0.2.7");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.REQUEST_URI, null)), EXCHANGE))
                .isEqualTo("/cart/items?tenant=acme&page=2");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.URI, null)), EXCHANGE)).isEqualTo("/cart/items");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.HOST, null)), EXCHANGE)).isEqualTo("shop.example.com");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.ARGS, null)), EXCHANGE))
                .isEqualTo("tenant=acme&page=2");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.HEADER, "x-user")), EXCHANGE)).isEqualTo("alice");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.COOKIE, "session")), EXCHANGE)).isEqualTo("s-42");
        assertThat(HashKeyChooser.evaluate(key(new Part(Kind.ARG, "tenant")), EXCHANGE)).isEqualTo("acme");
    }

    @Test
    void literalsAndVariablesAreJoinedAndAbsentVariablesAreEmpty() {
        HashKey key = key(new Part(Kind.LITERAL, "t="), new Part(Kind.ARG, "tenant"), new Part(Kind.LITERAL, "/"),
                new Part(Kind.HEADER, "x-missing"), new Part(Kind.COOKIE, "missing"), new Part(Kind.ARG, "none"));

        assertThat(HashKeyChooser.evaluate(key, EXCHANGE)).isEqualTo("t=acme/");
    }

    @Test
    void theSameKeyAlwaysChoosesTheSameEndpointAndKeysSpread() {
        List<Endpoint> endpoints = List.of(new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80),
                new Endpoint("10.0.0.3", 80));
        HashKeyChooser chooser = new HashKeyChooser(key(new Part(Kind.HEADER, "x-user")), endpoints);
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int user = 0; user < 60; user++) {
            int first = chooser.choose(withUser("user-" + user));
            for (int again = 0; again < 3; again++) {
                assertThat(chooser.choose(withUser("user-" + user))).isEqualTo(first);
            }
            used.add(first);
        }
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2);
    }

    private static MockServerWebExchange withUser(String user) {
        return MockServerWebExchange.from(MockServerHttpRequest.get("/").header("X-User", user));
    }
}
