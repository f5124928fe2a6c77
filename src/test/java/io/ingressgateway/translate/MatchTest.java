package io.ingressgateway.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The request-matching rules of the model records the translator produces. */
class MatchTest {

    static Stream<Arguments> hosts() {
        return Stream.of(
                Arguments.of("", "anything.example.com", true),
                Arguments.of("", "", true),
                Arguments.of("foo.example.com", "foo.example.com", true),
                Arguments.of("FOO.Example.com", "foo.example.com", true),
                Arguments.of("foo.example.com", "bar.example.com", false),
                Arguments.of("foo.example.com", "foo.example.com.evil", false),
                Arguments.of("*.example.com", "a.example.com", true),
                Arguments.of("*.example.com", "example.com", false),
                Arguments.of("*.example.com", ".example.com", false),
                Arguments.of("*.example.com", "a.b.example.com", false),
                Arguments.of("*.example.com", "aexample.com", false),
                Arguments.of("*.example.com", "a.example.org", false));
    }

    @ParameterizedTest(name = "host pattern ''{0}'' vs ''{1}'' -> {2}")
    @MethodSource("hosts")
    void hostMatch(String pattern, String requestHost, boolean expected) {
        assertEquals(expected, HostMatch.of(pattern).matches(requestHost));
    }

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of(PathMatch.exact("/foo"), "/foo", true),
                Arguments.of(PathMatch.exact("/foo"), "/foo/", false),
                Arguments.of(PathMatch.exact("/foo"), "/FOO", false),
                Arguments.of(PathMatch.exact("/foo/"), "/foo/", true),
                Arguments.of(PathMatch.exact("/foo/"), "/foo", false),
                Arguments.of(PathMatch.prefix("/"), "/", true),
                Arguments.of(PathMatch.prefix("/"), "/anything/at/all", true),
                Arguments.of(PathMatch.prefix("/foo"), "/foo", true),
                Arguments.of(PathMatch.prefix("/foo"), "/foo/", true),
                Arguments.of(PathMatch.prefix("/foo"), "/foo/bar", true),
                Arguments.of(PathMatch.prefix("/foo"), "/foobar", false),
                Arguments.of(PathMatch.prefix("/foo"), "/fo", false),
                Arguments.of(PathMatch.prefix("/foo"), "/Foo", false),
                Arguments.of(PathMatch.prefix("/foo/"), "/foo", true),
                Arguments.of(PathMatch.prefix("/foo/"), "/foo/bar", true),
                Arguments.of(PathMatch.prefix("/foo/bar"), "/foo/bar/baz", true),
                Arguments.of(PathMatch.prefix("/foo/bar"), "/foo/baz", false));
    }

    @ParameterizedTest(name = "{0} vs ''{1}'' -> {2}")
    @MethodSource("paths")
    void pathMatch(PathMatch match, String requestPath, boolean expected) {
        assertEquals(expected, match.matches(requestPath));
    }

    static Stream<Arguments> prefixNormalisation() {
        return Stream.of(
                Arguments.of("/", "/"),
                Arguments.of("/foo/", "/foo"),
                Arguments.of("/foo///", "/foo"),
                Arguments.of("/foo", "/foo"));
    }

    @ParameterizedTest(name = "prefix ''{0}'' is stored as ''{1}''")
    @MethodSource("prefixNormalisation")
    void prefixDropsTrailingSlash(String written, String stored) {
        assertEquals(stored, PathMatch.prefix(written).path());
    }
}
