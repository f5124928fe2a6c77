package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.allDiagnostics;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.routeLines;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.RewritePolicy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Regular-expression paths as ingress-nginx makes them (docs/user-guide/ingress-path-matching.md): which paths are
 * regular expressions, which are refused, and how a host's paths are ordered once one of its Ingresses turns regex on.
 */
class RegexPathsTest {

    private static final String USE_REGEX = NGINX_PREFIX + "use-regex";
    private static final String REWRITE_TARGET = NGINX_PREFIX + "rewrite-target";

    private static Ingress annotated(String name, String created, Map<String, String> annotations,
                                     HTTPIngressPath... paths) {
        return ingress("ns", name, created).editMetadata().addToAnnotations(annotations).endMetadata()
                .editSpec().withRules(rule("a.example", paths)).endSpec().build();
    }

    static Stream<Arguments> pathsOfOneIngress() {
        return Stream.of(
                // name, annotations, pathType, path, the path match (null: refused) or what the refusal says
                Arguments.of("use-regex", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/foo/.*",
                        PathMatch.regex("/foo/.*"), null),
                Arguments.of("our spelling", Map.of(OUR_PREFIX + "use-regex", "true"), "ImplementationSpecific",
                        "/foo/.*", PathMatch.regex("/foo/.*"), null),
                Arguments.of("rewrite-target implies regex", Map.of(REWRITE_TARGET, "/$2"), "ImplementationSpecific",
                        "/svc(/|$)(.*)", PathMatch.regex("/svc(/|$)(.*)"), null),
                Arguments.of("a capture in a Prefix path", Map.of(REWRITE_TARGET, "/$1"), "Prefix", "/api/?(.*)",
                        PathMatch.regex("/api/?(.*)"), null),
                Arguments.of("rewrite to / of a plain path", Map.of(REWRITE_TARGET, "/"), "Prefix", "/api",
                        PathMatch.regex("/api"), null),
                Arguments.of("a trailing slash is kept", Map.of(USE_REGEX, "true"), "Prefix", "/api/",
                        PathMatch.regex("/api/"), null),
                Arguments.of("a target equal to the path, on a regex host", Map.of(REWRITE_TARGET, "/"),
                        "Prefix", "/", PathMatch.regex("/"), null),
                Arguments.of("Exact is a regex too", Map.of(USE_REGEX, "true"), "Exact", "/exact",
                        PathMatch.regex("/exact"), null),
                Arguments.of("an empty path is /", Map.of(USE_REGEX, "true"), "Prefix", "",
                        PathMatch.regex("/"), null),
                Arguments.of("without regex", Map.of(), "ImplementationSpecific", "/foo/.*", null,
                        "regular expressions are not supported"),
                Arguments.of("use-regex false", Map.of(USE_REGEX, "false"), "ImplementationSpecific",
                        "/api(/|$)(.*)", null, "regular expressions are not supported"),
                Arguments.of("a backreference", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/(a)\\1",
                        null, "RE2"),
                Arguments.of("a lookahead", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/(?=admin)",
                        null, "RE2"),
                Arguments.of("unbalanced", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/a(b", null, "RE2"),
                Arguments.of("too long", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/" + "a".repeat(1024),
                        null, "longer than 1024"),
                Arguments.of("whitespace", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "/a b", null,
                        "whitespace"),
                Arguments.of("not from the root", Map.of(USE_REGEX, "true"), "ImplementationSpecific", "api/.*",
                        null, "must start with '/'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void pathsOfOneIngress(String name, Map<String, String> annotations, String type, String path,
                           PathMatch expected, String refusal) {
        RouteModel model = translate(snapshot(annotated("app", null, annotations, path(type, path, "svc", 80),
                path("Prefix", "/other", "svc", 80))));

        List<PathMatch> paths = vhost(model, "a.example").routes().stream().map(Route::path).toList();
        if (expected != null) {
            assertThat(allDiagnostics(model)).isEmpty();
            assertThat(paths).contains(expected);
        } else {
            assertThat(allDiagnostics(model)).singleElement().satisfies(diagnostic -> {
                assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
                assertThat(diagnostic.field()).isEqualTo("spec.rules[0].http.paths[0].path");
                assertThat(diagnostic.message()).contains(refusal).endsWith("path ignored");
            });
            assertThat(paths).as("the other path keeps serving").hasSize(1);
        }
    }

    @Test
    void aTargetEqualToItsOnlyPathTurnsNothingOn() {
        // ingress-nginx neither rewrites such a path nor enforces regex for it (needsRewrite).
        RouteModel model = translate(snapshot(annotated("app", null, Map.of(REWRITE_TARGET, "/"),
                path("Prefix", "/", "svc", 80))));

        assertThat(routeLines(model)).containsExactly("a.example|PREFIX|/ -> ns/svc:80");
    }

    @Test
    void oneIngressTurningRegexOnMakesEveryPathOfItsHostARegexLongestFirst() {
        // The two Ingresses of ingress-path-matching.md's "Path Priority" example, plus an Exact path and a host that
        // only the plain Ingress names.
        Ingress plain = ingress("ns", "plain", "2024-01-01T00:00:00Z").editSpec().withRules(
                rule("a.example", path("Prefix", "/foo/bar", "service1", 80), path("Exact", "/exact", "exact", 80)),
                rule("b.example", path("Prefix", "/foo/bar", "service1", 80))).endSpec().build();
        Ingress rewriting = annotated("rewriting", "2024-01-02T00:00:00Z", Map.of(REWRITE_TARGET, "/$1"),
                path("ImplementationSpecific", "/foo/bar/(.+)", "service3", 80));

        RouteModel model = translate(snapshot(plain, rewriting));

        assertThat(routeLines(model)).containsExactly(
                "a.example|REGEX|/foo/bar/(.+) -> ns/service3:80",
                "a.example|REGEX|/foo/bar -> ns/service1:80",
                "a.example|REGEX|/exact -> ns/exact:80",
                "b.example|PREFIX|/foo/bar -> ns/service1:80");
        assertThat(allDiagnostics(model)).isEmpty();
        // The plain Ingress's routes keep their own (no) policies: only the rewriting Ingress's paths are rewritten.
        assertThat(vhost(model, "a.example").routes().get(1).policies().get(RewritePolicy.class)).isNull();
        assertThat(report(model, "ns", "plain").routeIds())
                .containsExactly("a.example|REGEX|/foo/bar", "a.example|REGEX|/exact", "b.example|PREFIX|/foo/bar");
        ModelInvariants.check(model, snapshot(plain, rewriting));
    }

    @Test
    void regexPathsOfTheSameLengthGoInIngressNginxsOrderAndTheFirstMatchWins() {
        // ingress-nginx sorts by path text, greatest first, then stably by length, longest first.
        Ingress ingress = annotated("app", null, Map.of(USE_REGEX, "true"),
                path("ImplementationSpecific", "/a.c", "dot", 80),
                path("ImplementationSpecific", "/abc", "letters", 80),
                path("ImplementationSpecific", "/foo/bar/[A-Z0-9]{3}", "code", 80),
                path("Prefix", "/foo/bar/bar", "bar", 80));

        List<Route> routes = vhost(translate(snapshot(ingress)), "a.example").routes();

        assertThat(routes).extracting(r -> r.path().path())
                .containsExactly("/foo/bar/[A-Z0-9]{3}", "/foo/bar/bar", "/abc", "/a.c");
        // The documented "warning": /foo/bar/bar is matched by the longer expression, not by its own path.
        assertThat(routes.stream().filter(r -> r.path().matches("/foo/bar/bar")).findFirst().orElseThrow()
                .upstreamKey().service()).isEqualTo("code");
    }

    @Test
    void pathsThatReadAsTheSameExpressionKeepTheFirstClaim() {
        Ingress plain = ingress("ns", "plain", "2024-01-01T00:00:00Z").editSpec().withRules(rule("a.example",
                path("Prefix", "/same", "prefix", 80), path("Exact", "/same", "exact", 80))).endSpec().build();
        Ingress regex = annotated("regex", "2024-01-02T00:00:00Z", Map.of(USE_REGEX, "true"),
                path("ImplementationSpecific", "/other/.*", "other", 80));

        RouteModel model = translate(snapshot(plain, regex));

        assertThat(routeLines(model)).containsExactly(
                "a.example|REGEX|/other/.* -> ns/other:80",
                "a.example|REGEX|/same -> ns/exact:80");
        assertThat(report(model, "ns", "plain").routeIds()).containsExactly("a.example|REGEX|/same");
        assertThat(report(model, "ns", "plain").diagnostics()).singleElement().extracting(Diagnostic::message)
                .asString().contains("duplicate");
        ModelInvariants.check(model, snapshot(plain, regex));
    }

    @Test
    void aPathWithRegexCharactersIsRefusedWhenOnlyAnotherIngressOfItsHostTurnsRegexOn() {
        // Each Ingress is read on its own: whether its paths may be expressions is its own annotations' say.
        Ingress plain = ingress("ns", "plain", "2024-01-01T00:00:00Z").editSpec().withRules(rule("a.example",
                path("ImplementationSpecific", "/plain/(.*)", "plain", 80))).endSpec().build();
        Ingress regex = annotated("regex", "2024-01-02T00:00:00Z", Map.of(USE_REGEX, "true"),
                path("ImplementationSpecific", "/regex/(.*)", "regex", 80));

        RouteModel model = translate(snapshot(plain, regex));

        assertThat(routeLines(model)).containsExactly("a.example|REGEX|/regex/(.*) -> ns/regex:80");
        assertThat(report(model, "ns", "plain").diagnostics()).singleElement().extracting(Diagnostic::message)
                .asString().contains("regular expressions are not supported");
    }

    @Test
    void addingAndRemovingTheRegexIngressTurnsTheOtherIngresssPathsIntoExpressionsAndBack() {
        Ingress plain = ingress("ns", "plain", "2024-01-01T00:00:00Z").editSpec().withRules(rule("a.example",
                path("Prefix", "/foo", "plain", 80))).endSpec().build();
        Ingress regex = annotated("regex", "2024-01-02T00:00:00Z", Map.of(USE_REGEX, "true"),
                path("ImplementationSpecific", "/regex/(.*)", "regex", 80));
        IngressTranslator translator = new IngressTranslator(Fixtures.SETTINGS);

        RouteModel before = translator.translate(snapshot(plain));
        RouteModel with = translator.translate(snapshot(plain, regex));
        RouteModel after = translator.translate(snapshot(plain));

        assertThat(routeLines(before)).containsExactly("a.example|PREFIX|/foo -> ns/plain:80");
        assertThat(routeLines(with)).containsExactly("a.example|REGEX|/regex/(.*) -> ns/regex:80",
                "a.example|REGEX|/foo -> ns/plain:80");
        assertThat(report(with, "ns", "plain").routeIds()).containsExactly("a.example|REGEX|/foo");
        assertThat(routeLines(after)).isEqualTo(routeLines(before));
        assertThat(report(after, "ns", "plain").routeIds()).containsExactly("a.example|PREFIX|/foo");
        // Incremental translation agrees with translating from scratch.
        assertThat(with).usingRecursiveComparison().isEqualTo(translate(snapshot(plain, regex)));
    }
}
