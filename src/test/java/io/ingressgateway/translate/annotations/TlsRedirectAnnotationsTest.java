package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.TlsRedirectAnnotations.FORCE_SSL_REDIRECT;
import static io.ingressgateway.translate.annotations.TlsRedirectAnnotations.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.TlsRedirectAnnotations.OUR_PREFIX;
import static io.ingressgateway.translate.annotations.TlsRedirectAnnotations.SSL_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The TLS redirect annotations, read by their family, and what the policy they make decides. */
class TlsRedirectAnnotationsTest {

    private static final TlsRedirectAnnotations FAMILY = new TlsRedirectAnnotations();

    static Stream<Arguments> readings() {
        return Stream.of(
                // name, annotations, redirects with TLS, redirects without TLS, redirects unmatched paths of its host
                Arguments.of("opted out", Map.of(OUR_PREFIX + SSL_REDIRECT, "false"), false, false, false),
                Arguments.of("opted out, ingress-nginx style", Map.of(NGINX_PREFIX + SSL_REDIRECT, "false"), false,
                        false, false),
                Arguments.of("ours wins over ingress-nginx's", Map.of(OUR_PREFIX + SSL_REDIRECT, "true",
                        NGINX_PREFIX + SSL_REDIRECT, "false"), true, false, true),
                Arguments.of("forced", Map.of(NGINX_PREFIX + FORCE_SSL_REDIRECT, "true"), true, true, true),
                Arguments.of("forced wins over opt-out", Map.of(OUR_PREFIX + FORCE_SSL_REDIRECT, "true",
                        OUR_PREFIX + SSL_REDIRECT, "false"), true, true, true),
                Arguments.of("force false is no opt-out", Map.of(NGINX_PREFIX + FORCE_SSL_REDIRECT, "false"), true,
                        false, true),
                Arguments.of("force false with opt-out", Map.of(NGINX_PREFIX + FORCE_SSL_REDIRECT, "false",
                        NGINX_PREFIX + SSL_REDIRECT, "false"), false, false, false),
                Arguments.of("case and spaces", Map.of(OUR_PREFIX + SSL_REDIRECT, " FALSE "), false, false, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void readings(String name, Map<String, String> annotations, boolean withTls, boolean withoutTls,
                  boolean unmatched) {
        Parsed<TlsRedirectPolicy> parsed = FAMILY.parse(annotations);
        TlsRedirectPolicy policy = parsed.policy() == null ? TlsRedirectPolicy.DEFAULTS : parsed.policy();

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(policy.redirects(true)).as("redirects with TLS").isEqualTo(withTls);
        assertThat(policy.redirects(false)).as("redirects without TLS").isEqualTo(withoutTls);
        assertThat(policy.redirectsUnmatchedPaths()).as("unmatched paths").isEqualTo(unmatched);
    }

    @Test
    void theDefaultsAreNoPolicy() {
        assertThat(FAMILY.parse(Map.of(OUR_PREFIX + SSL_REDIRECT, "true")).policy()).isNull();
        assertThat(FAMILY.parse(Map.of(NGINX_PREFIX + FORCE_SSL_REDIRECT, "false")).policy()).isNull();
        assertThat(TlsRedirectPolicy.DEFAULTS.redirects(true)).isTrue();
        assertThat(TlsRedirectPolicy.DEFAULTS.redirects(false)).isFalse();
    }

    @Test
    void anUnreadableValueIsAWarningAndCountsAsUnset() {
        Parsed<TlsRedirectPolicy> parsed = FAMILY.parse(Map.of(OUR_PREFIX + SSL_REDIRECT, "no",
                NGINX_PREFIX + SSL_REDIRECT, "false"));

        // Ours is unreadable, so ingress-nginx's applies.
        assertThat(parsed.policy()).isEqualTo(new TlsRedirectPolicy(false, false));
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + OUR_PREFIX + SSL_REDIRECT + "']");
            assertThat(diagnostic.message()).contains("'no'").contains("ignored");
        });
    }

    @Test
    void declaresEveryAnnotationItReads() {
        assertThat(FAMILY.annotations()).containsExactlyInAnyOrder(OUR_PREFIX + SSL_REDIRECT,
                NGINX_PREFIX + SSL_REDIRECT, OUR_PREFIX + FORCE_SSL_REDIRECT, NGINX_PREFIX + FORCE_SSL_REDIRECT);
    }
}
