package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CanaryRules;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The canary family: which Ingresses are canaries, and the rules they set, table-driven. */
class CanaryAnnotationsTest {

    private static final CanaryAnnotations FAMILY = new CanaryAnnotations();

    /** Annotations written as {@code short-name=value} pairs under ingress-nginx's prefix, plus {@code canary: true}. */
    private static Map<String, String> canary(String... pairs) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(NGINX_PREFIX + "canary", "true");
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            annotations.put(NGINX_PREFIX + pair.substring(0, equals), pair.substring(equals + 1));
        }
        return annotations;
    }

    static Stream<Arguments> readable() {
        return Stream.of(
                Arguments.of(canary(), new CanaryRules(null, null, null, null, 0, 100)),
                Arguments.of(canary("canary-by-header=X-Canary"),
                        new CanaryRules("X-Canary", null, null, null, 0, 100)),
                Arguments.of(canary("canary-by-header=X-Canary", "canary-by-header-value=DoCanary"),
                        new CanaryRules("X-Canary", "DoCanary", null, null, 0, 100)),
                Arguments.of(canary("canary-by-header=X-Canary", "canary-by-header-pattern=^Do[A-Z][a-z]+y$"),
                        new CanaryRules("X-Canary", null, "^Do[A-Z][a-z]+y$", null, 0, 100)),
                Arguments.of(canary("canary-by-cookie=canary_cookie"),
                        new CanaryRules(null, null, null, "canary_cookie", 0, 100)),
                Arguments.of(canary("canary-weight=0"), new CanaryRules(null, null, null, null, 0, 100)),
                Arguments.of(canary("canary-weight= 25 "), new CanaryRules(null, null, null, null, 25, 100)),
                Arguments.of(canary("canary-weight=100", "canary-weight-total=200"),
                        new CanaryRules(null, null, null, null, 100, 200)),
                Arguments.of(canary("canary-weight=150"), new CanaryRules(null, null, null, null, 150, 100)),
                Arguments.of(canary("canary-by-header=", "canary-by-cookie="),
                        new CanaryRules(null, null, null, null, 0, 100)),
                Arguments.of(canary("canary-by-header=H", "canary-by-header-value=", "canary-weight=5"),
                        new CanaryRules("H", null, null, null, 5, 100)));
    }

    @ParameterizedTest
    @MethodSource("readable")
    void readsTheRules(Map<String, String> annotations, CanaryRules expected) {
        Parsed<CanaryRules> parsed = FAMILY.parse(annotations);

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(expected);
    }

    static Stream<Arguments> unreadable() {
        return Stream.of(
                // value, what applies instead, which key the warning names
                Arguments.of(canary("canary-weight=ten"), new CanaryRules(null, null, null, null, 0, 100),
                        "canary-weight"),
                Arguments.of(canary("canary-weight=-5"), new CanaryRules(null, null, null, null, 0, 100),
                        "canary-weight"),
                Arguments.of(canary("canary-weight=1.5"), new CanaryRules(null, null, null, null, 0, 100),
                        "canary-weight"),
                Arguments.of(canary("canary-weight=10", "canary-weight-total=0"),
                        new CanaryRules(null, null, null, null, 10, 100), "canary-weight-total"),
                Arguments.of(canary("canary-weight=10", "canary-weight-total=lots"),
                        new CanaryRules(null, null, null, null, 10, 100), "canary-weight-total"),
                Arguments.of(canary("canary-by-header=X Canary"), new CanaryRules(null, null, null, null, 0, 100),
                        "canary-by-header"),
                Arguments.of(canary("canary-by-cookie=a;b"), new CanaryRules(null, null, null, null, 0, 100),
                        "canary-by-cookie"),
                // The value or pattern means nothing without the header.
                Arguments.of(canary("canary-by-header-value=DoCanary"),
                        new CanaryRules(null, null, null, null, 0, 100), "canary-by-header-value"),
                Arguments.of(canary("canary-by-header-pattern=^x"),
                        new CanaryRules(null, null, null, null, 0, 100), "canary-by-header-pattern"),
                // The value takes precedence over the pattern.
                Arguments.of(canary("canary-by-header=H", "canary-by-header-value=v", "canary-by-header-pattern=^v"),
                        new CanaryRules("H", "v", null, null, 0, 100), "canary-by-header-pattern"),
                // A pattern RE2 cannot compile is kept (requests with the header stay on main) and reported.
                Arguments.of(canary("canary-by-header=H", "canary-by-header-pattern=[][**da?$&*"),
                        new CanaryRules("H", null, "[][**da?$&*", null, 0, 100), "canary-by-header-pattern"),
                Arguments.of(canary("canary-by-header=H", "canary-by-header-pattern=(a)\\1"),
                        new CanaryRules("H", null, "(a)\\1", null, 0, 100), "canary-by-header-pattern"));
    }

    @ParameterizedTest
    @MethodSource("unreadable")
    void anUnreadableValueIsAWarningNamingItsKey(Map<String, String> annotations, CanaryRules expected,
                                                 String key) {
        Parsed<CanaryRules> parsed = FAMILY.parse(annotations);

        assertThat(parsed.policy()).isEqualTo(expected);
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX_PREFIX + key + "']");
            assertThat(diagnostic.message()).contains(annotations.get(NGINX_PREFIX + key));
        });
    }

    @Test
    void withoutCanaryTrueTheIngressIsNoCanaryAndEachCanaryKeyIsAWarning() {
        Map<String, String> annotations = Map.of(NGINX_PREFIX + "canary", "false",
                NGINX_PREFIX + "canary-weight", "50", OUR_PREFIX + "canary-by-header", "X-Canary");

        Parsed<CanaryRules> parsed = FAMILY.parse(annotations);

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).extracting(Diagnostic::field).containsExactlyInAnyOrder(
                "metadata.annotations['" + NGINX_PREFIX + "canary-weight']",
                "metadata.annotations['" + OUR_PREFIX + "canary-by-header']");
        assertThat(FAMILY.parse(Map.of(NGINX_PREFIX + "canary-weight", "50")).policy()).isNull();
    }

    @Test
    void anUnreadableCanaryFlagIsAWarningAndNoCanary() {
        Parsed<CanaryRules> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "canary", "yes"));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("'yes'"));
    }

    @Test
    void oursWinsForEachKey() {
        Map<String, String> annotations = new HashMap<>(canary("canary-by-header=Theirs", "canary-weight=10"));
        annotations.put(OUR_PREFIX + "canary-by-header", "Ours");
        annotations.put(OUR_PREFIX + "canary-weight", "20");

        assertThat(FAMILY.parse(annotations).policy()).isEqualTo(new CanaryRules("Ours", null, null, null, 20, 100));
        assertThat(FAMILY.parse(Map.of(OUR_PREFIX + "canary", "TRUE")).policy())
                .isEqualTo(new CanaryRules(null, null, null, null, 0, 100));
    }

    @Test
    void declaresBothSpellingsOfSevenKeys() {
        assertThat(FAMILY.annotations()).hasSize(14)
                .contains(NGINX_PREFIX + "canary-by-header-pattern", OUR_PREFIX + "canary-weight-total");
        assertThat(List.copyOf(FAMILY.annotations())).allMatch(key -> key.contains("canary"));
    }
}
