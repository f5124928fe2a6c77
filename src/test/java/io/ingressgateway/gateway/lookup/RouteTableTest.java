package io.ingressgateway.gateway.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

    /**
     * Hosts: foo.example.com (exact), *.example.com (wildcard), any host. Targets are names; "-" is no match.
     */
    private static final RouteTable<String> TABLE = RouteTable.<String>builder()
            .rule(HostMatch.of("foo.example.com"), PathMatch.exact("/foo/bar"), "foo-exact-foobar")
            .rule(HostMatch.of("foo.example.com"), PathMatch.prefix("/foo/bar"), "foo-prefix-foobar")
            .rule(HostMatch.of("foo.example.com"), PathMatch.exact("/foo"), "foo-exact-foo")
            .rule(HostMatch.of("foo.example.com"), PathMatch.prefix("/foo/"), "foo-prefix-foo")
            .hostDefault(HostMatch.of("foo.example.com"), "foo-default")
            .rule(HostMatch.of("*.example.com"), PathMatch.prefix("/app"), "wild-app")
            .rule(HostMatch.of("*.example.com"), PathMatch.prefix("/"), "wild-root")
            .rule(HostMatch.of("bar.example.com"), PathMatch.prefix("/only"), "bar-only")
            .rule(HostMatch.ANY, PathMatch.prefix("/any"), "any-any")
            .defaultTarget("model-default")
            .notFound("not-found")
            .build();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            foo.example.com        | /foo/bar     | foo-exact-foobar
            foo.example.com        | /foo/bar/    | foo-prefix-foobar
            foo.example.com        | /foo/bar/baz | foo-prefix-foobar
            foo.example.com        | /foo/barbaz  | foo-prefix-foo
            foo.example.com        | /foo         | foo-exact-foo
            foo.example.com        | /foo/        | foo-prefix-foo
            foo.example.com        | /foobar      | foo-default
            foo.example.com        | /app         | foo-default
            FOO.Example.COM:8080   | /foo         | foo-exact-foo
            foo.example.com.       | /foo         | foo-exact-foo
            foo.example.com.:443   | /foo         | foo-exact-foo
            a.example.com          | /app/x       | wild-app
            a.example.com          | /apple       | wild-root
            a.example.com          | /any         | wild-root
            a.b.example.com        | /any/x       | any-any
            a.b.example.com        | /other       | model-default
            example.com            | /app         | model-default
            bar.example.com        | /only        | bar-only
            bar.example.com        | /app         | not-found
            other.test             | /any         | any-any
            other.test             | /anything    | model-default
            [::1]:8080             | /any/1       | any-any
            127.0.0.1:8080         | /any         | any-any
            ''                     | /any         | any-any
            """)
    void selectsHostThenPathWithoutFallThrough(String host, String path, String expected) {
        assertThat(TABLE.lookup(host, path)).isEqualTo(expected);
    }

    @Test
    void missingHostHeaderUsesTheAnyHost() {
        assertThat(TABLE.lookup(null, "/any")).isEqualTo("any-any");
    }

    @Test
    void withoutDefaultsUnmatchedRequestsAreNotFound() {
        RouteTable<String> table = RouteTable.<String>builder()
                .rule(HostMatch.of("a.test"), PathMatch.prefix("/x"), "a-x")
                .notFound("not-found")
                .build();
        assertThat(table.lookup("a.test", "/x/1")).isEqualTo("a-x");
        assertThat(table.lookup("a.test", "/y")).isEqualTo("not-found");
        assertThat(table.lookup("b.test", "/x")).isEqualTo("not-found");
    }

    @Test
    void hostDefaultWithoutRulesStillSelectsTheHost() {
        RouteTable<String> table = RouteTable.<String>builder()
                .hostDefault(HostMatch.of("a.test"), "a-default")
                .rule(HostMatch.ANY, PathMatch.prefix("/"), "any-root")
                .build();
        assertThat(table.lookup("a.test", "/x")).isEqualTo("a-default");
        assertThat(table.lookup("b.test", "/x")).isEqualTo("any-root");
    }

    @Test
    void emptyTableWithoutNotFoundYieldsNull() {
        assertThat(RouteTable.<String>builder().build().lookup("a.test", "/")).isNull();
    }

    /**
     * A host's path index against trying its rules one by one: for rules in any order (not only precedence order), with
     * duplicates, raw paths (trailing slashes, empty elements, the empty path) and paths whose hashes collide ("Aa"
     * and "BB" hash alike), the first rule that matches must be the one found.
     */
    @Test
    void aHostsPathIndexFindsTheFirstMatchingRuleAsTryingThemInOrderWould() {
        String[] segments = {"a", "b", "Aa", "BB", "api", "", "AaBB", "BBAa"};
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            int ruleCount = seed % 10 == 0 ? 200 + random.nextInt(200) : 1 + random.nextInt(12);
            List<RouteTable.Rule<Integer>> rules = new ArrayList<>();
            for (int i = 0; i < ruleCount; i++) {
                PathMatch.Type type = random.nextInt(3) == 0 ? PathMatch.Type.EXACT : PathMatch.Type.PREFIX;
                rules.add(new RouteTable.Rule<>(new PathMatch(type, randomPath(random, segments)), i));
            }
            RouteTable.HostRules<Integer> host = new RouteTable.HostRules<>(rules, null);
            for (int i = 0; i < 300; i++) {
                String path = random.nextInt(3) == 0 ? rules.get(random.nextInt(ruleCount)).path().path()
                        + (random.nextBoolean() ? "" : "/" + segments[random.nextInt(segments.length)])
                        : randomPath(random, segments);
                Integer expected = null;
                for (RouteTable.Rule<Integer> rule : rules) {
                    if (rule.path().matches(path)) {
                        expected = rule.target();
                        break;
                    }
                }
                assertThat(host.find(path)).as("seed %d, path '%s', rules %s", seed, path, rules)
                        .isEqualTo(expected);
            }
        }
    }

    private static String randomPath(Random random, String[] segments) {
        if (random.nextInt(20) == 0) {
            return random.nextBoolean() ? "" : "/";
        }
        StringBuilder path = new StringBuilder();
        int depth = random.nextInt(4);
        for (int i = 0; i < depth; i++) {
            path.append('/').append(segments[random.nextInt(segments.length)]);
        }
        if (path.length() == 0 || random.nextInt(5) == 0) {
            path.append('/');
        }
        return path.toString();
    }

    @Test
    void firstDefaultWins() {
        RouteTable<String> table = RouteTable.<String>builder()
                .hostDefault(HostMatch.of("a.test"), "first")
                .hostDefault(HostMatch.of("a.test"), "second")
                .defaultTarget("model-first")
                .defaultTarget("model-second")
                .build();
        assertThat(table.lookup("a.test", "/")).isEqualTo("first");
        assertThat(table.lookup("b.test", "/")).isEqualTo("model-first");
    }
}
