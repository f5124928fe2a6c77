package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.support.Objects;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Host and path validation: each valid form, each invalid one, and that a bad rule leaves the rest served. */
class HostsAndPathsTest {

    static Stream<Arguments> validHosts() {
        return Stream.of(
                Arguments.of("foo.example.com", "foo.example.com", HostMatch.Kind.EXACT),
                Arguments.of("Foo.EXAMPLE.com", "foo.example.com", HostMatch.Kind.EXACT),
                Arguments.of("localhost", "localhost", HostMatch.Kind.EXACT),
                Arguments.of("a-b.c0.example", "a-b.c0.example", HostMatch.Kind.EXACT),
                Arguments.of("*.example.com", "*.example.com", HostMatch.Kind.WILDCARD),
                Arguments.of("*.Example.COM", "*.example.com", HostMatch.Kind.WILDCARD),
                Arguments.of(null, "", HostMatch.Kind.ANY),
                Arguments.of("", "", HostMatch.Kind.ANY));
    }

    @ParameterizedTest(name = "host ''{0}'' -> ''{1}'' {2}")
    @MethodSource("validHosts")
    void validHost(String host, String pattern, HostMatch.Kind kind) {
        RouteModel model = translate(snapshot(ingress("ns", "app", null, rule(host, prefix("/", "svc")))));

        assertEquals(1, model.virtualHosts().size());
        HostMatch match = model.virtualHosts().get(0).host();
        assertEquals(pattern, match.pattern());
        assertEquals(kind, match.kind());
        assertEquals(List.of(), Fixtures.allDiagnostics(model));
    }

    static Stream<Arguments> invalidHosts() {
        return Stream.of(
                Arguments.of("foo.example.com:8080", "must not contain a port"),
                Arguments.of("10.0.0.1", "not an IP address"),
                Arguments.of("2001:db8::1", "not an IP address"),
                Arguments.of("[2001:db8::1]", "not an IP address"),
                Arguments.of("*", "wildcard must be the whole first label"),
                Arguments.of("*.", "DNS-1123"),
                Arguments.of("foo.*.example.com", "wildcard must be the whole first label"),
                Arguments.of("*foo.example.com", "wildcard must be the whole first label"),
                Arguments.of("f*.example.com", "wildcard must be the whole first label"),
                Arguments.of("*.*.example.com", "wildcard must be the whole first label"),
                Arguments.of("foo_bar.example.com", "DNS-1123"),
                Arguments.of("-foo.example.com", "DNS-1123"),
                Arguments.of("foo-.example.com", "DNS-1123"),
                Arguments.of("foo..example.com", "DNS-1123"),
                Arguments.of("foo.example.com.", "DNS-1123"),
                Arguments.of(".foo.example.com", "DNS-1123"),
                Arguments.of("foo example.com", "DNS-1123"),
                Arguments.of("bücher.example", "DNS-1123"),
                Arguments.of("a".repeat(250) + ".com", "at most 253"));
    }

    @ParameterizedTest(name = "host ''{0}'' is invalid: {1}")
    @MethodSource("invalidHosts")
    void invalidHostDropsOnlyItsRule(String host, String problem) {
        Ingress ingress = ingress("ns", "app", null,
                rule(host, prefix("/bad", "svc")),
                rule("good.example.com", prefix("/", "svc")));

        RouteModel model = translate(snapshot(ingress));

        IngressReport report = Fixtures.report(model, "ns", "app");
        assertTrue(report.served());
        assertEquals(1, report.diagnostics().size(), report.diagnostics().toString());
        Diagnostic diagnostic = report.diagnostics().get(0);
        assertEquals(Diagnostic.Severity.WARNING, diagnostic.severity());
        assertEquals("spec.rules[0].host", diagnostic.field());
        assertTrue(diagnostic.message().contains(problem), diagnostic.message());
        assertEquals(List.of("good.example.com|PREFIX|/ -> ns/svc:80"), Fixtures.routeLines(model));
    }

    static Stream<Arguments> validPaths() {
        return Stream.of(
                Arguments.of("Exact", "/foo", PathMatch.exact("/foo")),
                Arguments.of("Exact", "/Foo/", PathMatch.exact("/Foo/")),
                Arguments.of("Exact", "/", PathMatch.exact("/")),
                Arguments.of("Exact", "/a*b(c)", PathMatch.exact("/a*b(c)")),
                Arguments.of("Exact", "/%41", PathMatch.exact("/%41")),
                Arguments.of("Prefix", "/foo", PathMatch.prefix("/foo")),
                Arguments.of("Prefix", "/foo/", new PathMatch(PathMatch.Type.PREFIX, "/foo")),
                Arguments.of("Prefix", "/", new PathMatch(PathMatch.Type.PREFIX, "/")),
                Arguments.of("Prefix", "", new PathMatch(PathMatch.Type.PREFIX, "/")),
                Arguments.of("Prefix", null, new PathMatch(PathMatch.Type.PREFIX, "/")),
                Arguments.of("Prefix", "/foo.bar/v1.2/..x", PathMatch.prefix("/foo.bar/v1.2/..x")),
                Arguments.of("ImplementationSpecific", "/api/", new PathMatch(PathMatch.Type.PREFIX, "/api")),
                Arguments.of("ImplementationSpecific", "", new PathMatch(PathMatch.Type.PREFIX, "/")));
    }

    @ParameterizedTest(name = "{0} ''{1}'' -> {2}")
    @MethodSource("validPaths")
    void validPath(String type, String path, PathMatch expected) {
        RouteModel model = translate(snapshot(ingress("ns", "app", null, rule("a.example", path(type, path, "svc", 80)))));

        assertEquals(List.of(), Fixtures.allDiagnostics(model));
        assertEquals(expected, Fixtures.vhost(model, "a.example").routes().get(0).path());
    }

    static Stream<Arguments> invalidPaths() {
        return Stream.of(
                Arguments.of("Exact", "", "path", "Exact path must not be empty"),
                Arguments.of("Exact", null, "path", "Exact path must not be empty"),
                Arguments.of("Exact", "foo", "path", "must start with '/'"),
                Arguments.of("Prefix", "foo/", "path", "must start with '/'"),
                Arguments.of("Prefix", "/a//b", "path", "'//'"),
                Arguments.of("Exact", "//", "path", "'//'"),
                Arguments.of("Prefix", "/a/./b", "path", "'..' segments"),
                Arguments.of("Prefix", "/a/../b", "path", "'..' segments"),
                Arguments.of("Exact", "/a/.", "path", "'..' segments"),
                Arguments.of("Prefix", "/a/..", "path", "'..' segments"),
                Arguments.of("Prefix", "/a%2fb", "path", "encoded slash"),
                Arguments.of("Exact", "/a%2Fb", "path", "encoded slash"),
                Arguments.of("Prefix", "/a b", "path", "whitespace"),
                Arguments.of("Exact", "/a\tb", "path", "whitespace"),
                Arguments.of("Prefix", "/a\u0000", "path", "control"),
                Arguments.of("Prefix", "/a\u007f", "path", "control"),
                Arguments.of("Prefix", "/a\u00a0b", "path", "whitespace"),
                Arguments.of("Prefix", "/a?b=1", "path", "'?' or '#'"),
                Arguments.of("Exact", "/a#frag", "path", "'?' or '#'"),
                Arguments.of("ImplementationSpecific", "/api/.*", "path", "regular expressions are not supported"),
                Arguments.of("ImplementationSpecific", "/api(/|$)(.*)", "path", "regular expressions"),
                Arguments.of("ImplementationSpecific", "/[a-z]+", "path", "regular expressions"),
                Arguments.of("ImplementationSpecific", "/a{2}", "path", "regular expressions"),
                Arguments.of("ImplementationSpecific", "^/api", "path", "regular expressions"),
                Arguments.of("Prefix", "/v1|/v2", "path", "regular expressions"),
                Arguments.of("Prefix", "/a\\d", "path", "regular expressions"),
                Arguments.of("Prefix", "/a+", "path", "regular expressions"),
                Arguments.of("Prefix", "/a]", "path", "regular expressions"),
                Arguments.of("Prefix", "/a}", "path", "regular expressions"),
                Arguments.of(null, "/foo", "pathType", "pathType is required"),
                Arguments.of("", "/foo", "pathType", "pathType is required"),
                Arguments.of("Regex", "/foo", "pathType", "unknown pathType 'Regex'"),
                Arguments.of("prefix", "/foo", "pathType", "unknown pathType"));
    }

    @ParameterizedTest(name = "{0} ''{1}'' is invalid: {3}")
    @MethodSource("invalidPaths")
    void invalidPathDropsOnlyThatPath(String type, String path, String field, String problem) {
        Ingress ingress = ingress("ns", "app", null, rule("a.example",
                prefix("/ok", "svc"),
                new HTTPIngressPathBuilder().withPath(path).withPathType(type)
                        .withBackend(Objects.serviceBackend("other", 80)).build()));

        RouteModel model = translate(snapshot(ingress));

        IngressReport report = Fixtures.report(model, "ns", "app");
        assertEquals(1, report.diagnostics().size(), report.diagnostics().toString());
        Diagnostic diagnostic = report.diagnostics().get(0);
        assertEquals(Diagnostic.Severity.WARNING, diagnostic.severity());
        assertEquals("spec.rules[0].http.paths[1]." + field, diagnostic.field());
        assertTrue(diagnostic.message().contains(problem), diagnostic.message());
        assertEquals(List.of("a.example|PREFIX|/ok -> ns/svc:80"), Fixtures.routeLines(model));
        assertEquals(List.of(key("ns", "svc", "80")), List.copyOf(model.upstreams().keySet()));
    }
}
