package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static io.ingressgateway.translate.annotations.RewriteAnnotations.APP_ROOT;
import static io.ingressgateway.translate.annotations.RewriteAnnotations.REWRITE_TARGET;
import static io.ingressgateway.translate.annotations.RewriteAnnotations.USE_REGEX;
import static io.ingressgateway.translate.annotations.RewriteAnnotations.X_FORWARDED_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RewritePolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The regex and rewrite annotations, read by their family as ingress-nginx reads them. */
class RewriteAnnotationsTest {

    private static final RewriteAnnotations FAMILY = new RewriteAnnotations();

    static Stream<Arguments> readings() {
        return Stream.of(
                // name, annotations, the policy (null: none)
                Arguments.of("use-regex", Map.of(NGINX_PREFIX + USE_REGEX, "true"),
                        new RewritePolicy(true, null, null, null)),
                Arguments.of("use-regex any case", Map.of(NGINX_PREFIX + USE_REGEX, " TRUE "),
                        new RewritePolicy(true, null, null, null)),
                Arguments.of("use-regex false is no policy", Map.of(NGINX_PREFIX + USE_REGEX, "false"), null),
                Arguments.of("rewrite to /", Map.of(NGINX_PREFIX + REWRITE_TARGET, "/"),
                        new RewritePolicy(false, "/", null, null)),
                Arguments.of("rewrite with captures", Map.of(NGINX_PREFIX + REWRITE_TARGET, "/$2",
                        NGINX_PREFIX + USE_REGEX, "true"), new RewritePolicy(true, "/$2", null, null)),
                Arguments.of("rewrite to a capture without a slash", Map.of(NGINX_PREFIX + REWRITE_TARGET, "$1"),
                        new RewritePolicy(false, "$1", null, null)),
                Arguments.of("ours wins", Map.of(OUR_PREFIX + REWRITE_TARGET, "/ours/$1",
                        NGINX_PREFIX + REWRITE_TARGET, "/theirs"), new RewritePolicy(false, "/ours/$1", null, null)),
                Arguments.of("app-root", Map.of(NGINX_PREFIX + APP_ROOT, "/app1"),
                        new RewritePolicy(false, null, "/app1", null)),
                Arguments.of("x-forwarded-prefix", Map.of(NGINX_PREFIX + X_FORWARDED_PREFIX, "/test/value",
                        NGINX_PREFIX + REWRITE_TARGET, "/foo"), new RewritePolicy(false, "/foo", null, "/test/value")),
                Arguments.of("empty values are not set", Map.of(NGINX_PREFIX + X_FORWARDED_PREFIX, "",
                        NGINX_PREFIX + REWRITE_TARGET, "", NGINX_PREFIX + APP_ROOT, ""), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void readings(String name, Map<String, String> annotations, RewritePolicy expected) {
        Parsed<RewritePolicy> parsed = FAMILY.parse(annotations);

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(expected);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                // name, annotation, value, what is said
                Arguments.of("use-regex not a boolean", USE_REGEX, "yes", "is not \"true\" or \"false\""),
                Arguments.of("target with a query", REWRITE_TARGET, "/x?a=b", "may hold only"),
                Arguments.of("target with spaces", REWRITE_TARGET, "/a b", "may hold only"),
                Arguments.of("target with an nginx variable", REWRITE_TARGET, "/$host/x", "not a capture group"),
                Arguments.of("target with $0", REWRITE_TARGET, "/$0", "not a capture group"),
                Arguments.of("target with a newline", REWRITE_TARGET, "/a\n/b", "may hold only"),
                Arguments.of("app-root a full URL", APP_ROOT, "http://evil.example/app", "is not a path"),
                Arguments.of("app-root relative", APP_ROOT, "app", "is not a path"),
                Arguments.of("app-root with a capture", APP_ROOT, "/$1", "is not a path"),
                Arguments.of("prefix with quotes", X_FORWARDED_PREFIX, "/a\"b", "may hold only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void invalidValues(String name, String annotation, String value, String said) {
        Parsed<RewritePolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + annotation, value));

        assertThat(parsed.policy()).as("the setting keeps its default").isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX_PREFIX + annotation + "']");
            assertThat(diagnostic.message()).contains("'" + value + "'").contains(said);
        });
    }

    @Test
    void anInvalidValueLeavesTheOtherSettingsOfTheFamily() {
        Parsed<RewritePolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + REWRITE_TARGET, "/$host",
                NGINX_PREFIX + USE_REGEX, "true", NGINX_PREFIX + APP_ROOT, "/app"));

        assertThat(parsed.policy()).isEqualTo(new RewritePolicy(true, null, "/app", null));
        assertThat(parsed.diagnostics()).hasSize(1);
    }

    @Test
    void aBrokenTwinFallsBackToTheOtherSpelling() {
        Parsed<RewritePolicy> parsed = FAMILY.parse(Map.of(OUR_PREFIX + REWRITE_TARGET, "/a b",
                NGINX_PREFIX + REWRITE_TARGET, "/$1"));

        assertThat(parsed.policy()).isEqualTo(new RewritePolicy(false, "/$1", null, null));
        assertThat(parsed.diagnostics()).singleElement().extracting(Diagnostic::message).asString()
                .contains(NGINX_PREFIX + REWRITE_TARGET + " applies");
    }

    @Test
    void theFamilyDeclaresBothSpellingsOfItsFourAnnotations() {
        assertThat(FAMILY.annotations()).hasSize(8).contains(NGINX_PREFIX + USE_REGEX, OUR_PREFIX + USE_REGEX,
                NGINX_PREFIX + REWRITE_TARGET, NGINX_PREFIX + APP_ROOT, NGINX_PREFIX + X_FORWARDED_PREFIX);
        assertThat(AnnotationFamilies.ALL).anyMatch(RewriteAnnotations.class::isInstance);
    }

    static Stream<Arguments> expansions() {
        return Stream.of(
                Arguments.of("/", List.of("x"), "/"),
                Arguments.of("/$2", List.of("/", "users/1"), "/users/1"),
                Arguments.of("/$1/and/$1", List.of("a"), "/a/and/a"),
                Arguments.of("/$3", List.of("a"), "/"),
                Arguments.of("/a$", List.of(), "/a$"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource
    void expansions(String template, List<String> groups, String expanded) {
        assertThat(RewritePolicy.expand(template, g -> groups.get(g - 1), groups.size())).isEqualTo(expanded);
    }
}
