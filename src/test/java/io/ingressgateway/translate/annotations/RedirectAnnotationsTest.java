package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RedirectPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The permanent and temporal redirect annotations as ingress-nginx reads them. */
class RedirectAnnotationsTest {

    private static final RedirectAnnotations FAMILY = new RedirectAnnotations();
    private static final String PERMANENT = NGINX_PREFIX + "permanent-redirect";
    private static final String PERMANENT_CODE = NGINX_PREFIX + "permanent-redirect-code";
    private static final String TEMPORAL = NGINX_PREFIX + "temporal-redirect";
    private static final String TEMPORAL_CODE = NGINX_PREFIX + "temporal-redirect-code";

    static Stream<Arguments> readings() {
        return Stream.of(
                // name, annotations, expected policy (null: none), number of warnings
                Arguments.of("permanent, default 301", Map.of(PERMANENT, "https://new.example.com"),
                        new RedirectPolicy(301, "https://new.example.com"), 0),
                Arguments.of("permanent with 308", Map.of(PERMANENT, "https://new.example.com/a?b=c",
                        PERMANENT_CODE, "308"), new RedirectPolicy(308, "https://new.example.com/a?b=c"), 0),
                Arguments.of("temporal, default 302", Map.of(TEMPORAL, "http://elsewhere.example.com/"),
                        new RedirectPolicy(302, "http://elsewhere.example.com/"), 0),
                Arguments.of("temporal with 307", Map.of(TEMPORAL, "http://elsewhere.example.com/",
                        TEMPORAL_CODE, "307"), new RedirectPolicy(307, "http://elsewhere.example.com/"), 0),
                Arguments.of("temporal wins over permanent", Map.of(TEMPORAL, "http://t.example.com",
                        PERMANENT, "http://p.example.com"), new RedirectPolicy(302, "http://t.example.com"), 1),
                Arguments.of("an invalid temporal leaves the permanent", Map.of(TEMPORAL, "ftp://t.example.com",
                        PERMANENT, "http://p.example.com"), new RedirectPolicy(301, "http://p.example.com"), 1),
                Arguments.of("ours wins", Map.of(OUR_PREFIX + "permanent-redirect", "https://ours.example.com",
                        PERMANENT, "https://theirs.example.com"), new RedirectPolicy(301, "https://ours.example.com"),
                        0),
                Arguments.of("code out of range keeps 301", Map.of(PERMANENT, "https://x.example.com",
                        PERMANENT_CODE, "309"), new RedirectPolicy(301, "https://x.example.com"), 1),
                Arguments.of("code 299 keeps 301", Map.of(PERMANENT, "https://x.example.com",
                        PERMANENT_CODE, "299"), new RedirectPolicy(301, "https://x.example.com"), 1),
                Arguments.of("code not a number keeps 302", Map.of(TEMPORAL, "https://x.example.com",
                        TEMPORAL_CODE, "moved"), new RedirectPolicy(302, "https://x.example.com"), 1),
                Arguments.of("code alone is no redirect", Map.of(PERMANENT_CODE, "308"), null, 0),
                Arguments.of("relative URL", Map.of(PERMANENT, "/elsewhere"), null, 1),
                Arguments.of("other scheme", Map.of(PERMANENT, "ftp://files.example.com"), null, 1),
                Arguments.of("no host", Map.of(PERMANENT, "https:///path"), null, 1),
                Arguments.of("not a URL", Map.of(PERMANENT, "https://exa mple.com"), null, 1),
                Arguments.of("empty", Map.of(PERMANENT, " "), null, 1),
                Arguments.of("scheme in capitals, a port and a fragment", Map.of(PERMANENT,
                        "HTTPS://x.example.com:8443/a#top"), new RedirectPolicy(301, "HTTPS://x.example.com:8443/a#top"),
                        0),
                Arguments.of("user info", Map.of(PERMANENT, "https://user@evil.example.com/"), null, 1),
                Arguments.of("bad port", Map.of(PERMANENT, "https://x.example.com:99999/"), null, 1),
                Arguments.of("non-ASCII", Map.of(PERMANENT, "https://x.example.com/caf\u00e9"), null, 1),
                Arguments.of("nginx variable", Map.of(PERMANENT, "https://x.example.com$request_uri"), null, 1),
                Arguments.of("header injection", Map.of(PERMANENT, "https://x.example.com/\r\nSet-Cookie: a=b"), null,
                        1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void readings(String name, Map<String, String> annotations, RedirectPolicy expected, int warnings) {
        Parsed<RedirectPolicy> parsed = FAMILY.parse(annotations);

        assertThat(parsed.policy()).isEqualTo(expected);
        assertThat(parsed.diagnostics()).hasSize(warnings)
                .allSatisfy(d -> assertThat(d.severity()).isEqualTo(Diagnostic.Severity.WARNING));
    }

    @Test
    void anInvalidUrlIsAWarningNamingTheAnnotationAndValue() {
        Parsed<RedirectPolicy> parsed = FAMILY.parse(Map.of(PERMANENT, "mailto:someone@example.com"));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + PERMANENT + "']");
            assertThat(diagnostic.message()).contains("'mailto:someone@example.com'").contains("ignored");
        });
    }

    @Test
    void declaresBothSpellingsOfItsFourAnnotations() {
        assertThat(FAMILY.annotations()).hasSize(8).contains(PERMANENT, PERMANENT_CODE, TEMPORAL, TEMPORAL_CODE,
                OUR_PREFIX + "temporal-redirect-code");
    }
}
