package io.ingressgateway.gateway.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Regular-expression rules in the route table: tried in order, first match wins, only on hosts that have them. */
class RegexRouteTableTest {

    /** Rules in the order the translator hands them (longest first, as ingress-nginx sorts its locations). */
    private static final RouteTable<String> TABLE = RouteTable.<String>builder()
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/foo/bar/[A-Z0-9]{3}"), "code")
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/svc(/|$)(.*)"), "svc")
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/foo/bar"), "foobar")
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/(a+)+$"), "hostile")
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/api"), "api")
            .rule(HostMatch.of("regex.example"), PathMatch.regex("/"), "root")
            .rule(HostMatch.of("plain.example"), PathMatch.prefix("/api"), "plain-api")
            .defaultTarget("model-default")
            .notFound("not-found")
            .build();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            regex.example | /foo/bar/ABC      | code
            regex.example | /foo/bar/bar      | code
            regex.example | /FOO/BAR/x1z      | code
            regex.example | /foo/bar/xy       | foobar
            regex.example | /foo/barbaz       | foobar
            regex.example | /svc              | svc
            regex.example | /svc/users/1      | svc
            regex.example | /svcx             | root
            regex.example | /API/v1           | api
            regex.example | /apis             | api
            regex.example | /aaaa             | hostile
            regex.example | /other            | root
            plain.example | /api/x            | plain-api
            plain.example | /API              | not-found
            plain.example | /apis             | not-found
            other.example | /apis             | model-default
            """)
    void regexRulesAreCaseInsensitiveStartAnchoredAndTheFirstMatchWins(String host, String path, String expected) {
        assertThat(TABLE.lookup(host, path)).isEqualTo(expected);
    }

    @Test
    void aCatastrophicBacktrackingPatternIsMatchedInBoundedTime() {
        // (a+)+$ against a long run of a's then a mismatch takes exponential time with a backtracking engine; RE2 is
        // linear. No latency budget: a generous ceiling that only a blow-up would reach.
        String hostile = "/" + "a".repeat(50_000) + "!";
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> "root".equals(TABLE.lookup("regex.example", hostile)));
        RouteTable<String> alternation = RouteTable.<String>builder()
                .rule(HostMatch.of("regex.example"), PathMatch.regex("/(a|aa)*b"), "b")
                .rule(HostMatch.of("regex.example"), PathMatch.regex("/"), "root")
                .build();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> "root".equals(alternation.lookup("regex.example", "/" + "a".repeat(50_000))));
    }
}
