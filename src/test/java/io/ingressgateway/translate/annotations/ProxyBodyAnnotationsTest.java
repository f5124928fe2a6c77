package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BodyPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The request body annotations, read as nginx reads sizes and flags. */
class ProxyBodyAnnotationsTest {

    private static final ProxyBodyAnnotations FAMILY = new ProxyBodyAnnotations();
    private static final long K = 1024;
    private static final long M = 1024 * K;
    private static final long G = 1024 * M;

    static Stream<Arguments> bodySizes() {
        return Stream.of(
                Arguments.of("0", 0L),
                Arguments.of("1000", 1000L),
                Arguments.of("8k", 8 * K),
                Arguments.of("8K", 8 * K),
                Arguments.of("10m", 10 * M),
                Arguments.of("10M", 10 * M),
                Arguments.of("2048m", 2048 * M),
                Arguments.of("1g", G),
                Arguments.of("2G", 2 * G),
                Arguments.of(" 50m ", 50 * M));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodySizes")
    void bodySizeInNginxUnits(String value, long bytes) {
        Parsed<BodyPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "proxy-body-size", value));
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new BodyPolicy(bytes, null, null));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("proxy-body-size", "10MB"),
                Arguments.of("proxy-body-size", "1.5m"),
                Arguments.of("proxy-body-size", "-1"),
                Arguments.of("proxy-body-size", "10b"),
                Arguments.of("proxy-body-size", "unlimited"),
                Arguments.of("proxy-body-size", ""),
                Arguments.of("proxy-body-size", "99999999999999g"),
                Arguments.of("client-body-buffer-size", "0"),
                Arguments.of("client-body-buffer-size", "1g"),
                Arguments.of("client-body-buffer-size", "17m"),
                Arguments.of("proxy-request-buffering", "yes"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalid")
    void invalidValueIsAWarningNamingKeyAndValueAndTheDefaultApplies(String name, String value) {
        Parsed<BodyPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + name, value));
        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("'" + value + "'").contains("default applies");
        });
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                // annotations, policy
                Arguments.of(Map.of(NGINX_PREFIX + "client-body-buffer-size", "1m"), new BodyPolicy(null, M, null)),
                Arguments.of(Map.of(NGINX_PREFIX + "client-body-buffer-size", "16k"),
                        new BodyPolicy(null, 16 * K, null)),
                Arguments.of(Map.of(NGINX_PREFIX + "proxy-request-buffering", "off"),
                        new BodyPolicy(null, null, false)),
                Arguments.of(Map.of(OUR_PREFIX + "proxy-request-buffering", "ON"), new BodyPolicy(null, null, true)),
                // Ours wins.
                Arguments.of(Map.of(OUR_PREFIX + "proxy-body-size", "1k", NGINX_PREFIX + "proxy-body-size", "10m"),
                        new BodyPolicy(K, null, null)));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void acceptedValues(Map<String, String> annotations, BodyPolicy policy) {
        Parsed<BodyPolicy> parsed = FAMILY.parse(annotations);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(policy);
    }

    @Test
    void ourInvalidValueFallsBackToIngressNginxs() {
        Parsed<BodyPolicy> parsed = FAMILY.parse(Map.of(OUR_PREFIX + "proxy-body-size", "big",
                NGINX_PREFIX + "proxy-body-size", "8m"));
        assertThat(parsed.policy()).isEqualTo(new BodyPolicy(8 * M, null, null));
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains(NGINX_PREFIX + "proxy-body-size applies"));
    }

    @Test
    void declaresBothSpellingsAndIsRegistered() {
        assertThat(FAMILY.annotations()).contains(NGINX_PREFIX + "proxy-body-size", OUR_PREFIX + "proxy-body-size",
                NGINX_PREFIX + "proxy-request-buffering", OUR_PREFIX + "client-body-buffer-size");
        // Response buffering and the upstream's HTTP version have no effect here: no family reads them, and the
        // catalogue reports them as such (NginxAnnotationCatalogTest).
        assertThat(FAMILY.annotations()).doesNotContain(NGINX_PREFIX + "proxy-buffering",
                NGINX_PREFIX + "proxy-buffer-size", NGINX_PREFIX + "proxy-buffers-number",
                NGINX_PREFIX + "proxy-http-version");
        assertThat(AnnotationFamilies.ALL).anyMatch(ProxyBodyAnnotations.class::isInstance);
    }
}
