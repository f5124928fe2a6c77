package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationReaderTest {

    private static final String OURS = "ingress-gateway.io/limit";
    private static final String NGINX = "nginx.ingress.kubernetes.io/limit";

    private final List<Diagnostic> diagnostics = new ArrayList<>();

    private Integer limit(Map<String, String> annotations) {
        return new AnnotationReader(annotations, diagnostics).read("limit", v -> AnnotationReader.integer(v, 1, 10));
    }

    @Test
    void oursWinsOverIngressNginxs() {
        assertThat(limit(Map.of(OURS, "3", NGINX, "7"))).isEqualTo(3);
        assertThat(diagnostics).isEmpty();
    }

    @Test
    void ingressNginxsSpellingAloneIsRead() {
        assertThat(limit(Map.of(NGINX, " 7 "))).isEqualTo(7);
        assertThat(diagnostics).isEmpty();
    }

    @Test
    void anUnreadableOwnValueFallsBackToAReadableNginxOneAndSaysSo() {
        assertThat(limit(Map.of(OURS, "lots", NGINX, "7"))).isEqualTo(7);
        assertThat(diagnostics).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("metadata.annotations['" + OURS + "']");
            assertThat(d.message()).contains("'lots'", "is not a whole number", NGINX + " applies");
        });
    }

    @Test
    void anUnreadableValueAloneLeavesTheDefault() {
        assertThat(limit(Map.of(NGINX, "11"))).isNull();
        assertThat(diagnostics).singleElement().satisfies(d ->
                assertThat(d.message()).contains("'11'", "out of range", "the default applies"));
    }

    @Test
    void aBrokenNginxSpellingBesideAValidOwnOneIsStillReported() {
        assertThat(limit(Map.of(OURS, "2", NGINX, "x"))).isEqualTo(2);
        assertThat(diagnostics).singleElement().satisfies(d ->
                assertThat(d.message()).contains("'x'", OURS + " applies"));
    }

    @Test
    void flagsAreTrueOrFalseInAnyCase() {
        AnnotationReader reader = new AnnotationReader(
                Map.of("nginx.ingress.kubernetes.io/a", "TRUE", "nginx.ingress.kubernetes.io/b", "yes"), diagnostics);
        assertThat(reader.flag("a")).isTrue();
        assertThat(reader.flag("b")).isNull();
        assertThat(reader.flag("c")).isNull();
        assertThat(diagnostics).hasSize(1);
        assertThat(reader.isSet("b")).isTrue();
        assertThat(reader.isSet("c")).isFalse();
        assertThat(AnnotationReader.bothSpellings("a")).containsExactlyInAnyOrder("ingress-gateway.io/a",
                "nginx.ingress.kubernetes.io/a");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"0, 0", "7, 7", "+7, 7", "007, 7", "-0, 0", "999999999, 999999999",
        // Ten digits are ints too: global-rate-limit: "1000000000" was once refused as out of range.
        "1000000000, 1000000000", "2147483647, 2147483647"})
    void wholeNumbersUpToTheLargestIntAreRead(String value, int expected) throws AnnotationReader.Invalid {
        org.assertj.core.api.Assertions.assertThat(AnnotationReader.integer(value, 0, Integer.MAX_VALUE))
                .isEqualTo(expected);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"2147483648", "-1", "99999999999999999999999", "1e3",
        "1.5", "", " 7", "0x10"})
    void numbersOutOfRangeOrNotWholeAreRefused(String value) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AnnotationReader.integer(value, 0, Integer.MAX_VALUE))
                .isInstanceOf(AnnotationReader.Invalid.class);
    }

    @org.junit.jupiter.api.Test
    void aRangeWithNegativeNumbersTakesThem() throws AnnotationReader.Invalid {
        org.assertj.core.api.Assertions.assertThat(AnnotationReader.integer("-5", -10, 10)).isEqualTo(-5);
    }
}
