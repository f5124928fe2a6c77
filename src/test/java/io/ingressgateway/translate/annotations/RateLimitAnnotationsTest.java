package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RateLimitPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The local rate limit annotations, read as ingress-nginx's rate limit parser reads them. */
class RateLimitAnnotationsTest {

    private static final RateLimitAnnotations FAMILY = new RateLimitAnnotations();

    private static RateLimitPolicy policy(int rps, int rpm, int multiplier, int connections, String... exempt) {
        return new RateLimitPolicy(rps, rpm, multiplier, connections, List.of(exempt), 0, 0);
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                // annotations, policy
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "10"), policy(10, 0, 5, 0)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rpm", "300"), policy(0, 300, 5, 0)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "5", NGINX_PREFIX + "limit-rpm", "100"),
                        policy(5, 100, 5, 0)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-connections", "8"), policy(0, 0, 5, 8)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "2", NGINX_PREFIX + "limit-burst-multiplier", "1"),
                        policy(2, 0, 1, 0)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "2", NGINX_PREFIX + "limit-burst-multiplier", "0"),
                        policy(2, 0, 0, 0)),
                Arguments.of(Map.of(OUR_PREFIX + "limit-rps", " 7 "), policy(7, 0, 5, 0)),
                // Ours wins over ingress-nginx's spelling.
                Arguments.of(Map.of(OUR_PREFIX + "limit-rps", "7", NGINX_PREFIX + "limit-rps", "70"),
                        policy(7, 0, 5, 0)),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "10",
                                NGINX_PREFIX + "limit-whitelist", "10.0.0.0/8, 192.0.2.7,2001:db8::/32"),
                        policy(10, 0, 5, 0, "10.0.0.0/8", "192.0.2.7/32",
                                "2001:db8:0:0:0:0:0:0/32")),
                // Host bits are cleared.
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "10", NGINX_PREFIX + "limit-whitelist", "10.1.2.3/8"),
                        policy(10, 0, 5, 0, "10.0.0.0/8")),
                // limit-allowlist is ingress-nginx's newer name, and wins over limit-whitelist.
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "10", NGINX_PREFIX + "limit-allowlist", "127.0.0.1",
                                NGINX_PREFIX + "limit-whitelist", "10.0.0.0/8"),
                        policy(10, 0, 5, 0, "127.0.0.1/32")),
                // limit-rate alone is a limit (kilobytes per second, after limit-rate-after kilobytes).
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rate", "64", NGINX_PREFIX + "limit-rate-after", "512"),
                        new RateLimitPolicy(0, 0, 5, 0, List.of(), 64, 512)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void readsLimitsAsIngressNginxDoes(Map<String, String> annotations, RateLimitPolicy expected) {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(annotations);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(expected);
    }

    static Stream<Arguments> noLimit() {
        return Stream.of(
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "0")),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rps", "0", NGINX_PREFIX + "limit-rpm", "0",
                        NGINX_PREFIX + "limit-connections", "0")),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-burst-multiplier", "3")),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-whitelist", "10.0.0.0/8")),
                // limit-rate-after without limit-rate limits nothing, as in nginx.
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rate-after", "100")),
                Arguments.of(Map.of(NGINX_PREFIX + "limit-rate", "0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noLimit")
    void withoutAPositiveLimitNothingApplies(Map<String, String> annotations) {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(annotations);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isNull();
    }

    static Stream<Arguments> invalidLimits() {
        return Stream.of(
                Arguments.of("limit-rps", "ten"),
                Arguments.of("limit-rps", "-1"),
                Arguments.of("limit-rps", "1.5"),
                Arguments.of("limit-rps", "99999999999"),
                Arguments.of("limit-rpm", "1m"),
                Arguments.of("limit-connections", ""),
                Arguments.of("limit-connections", "2000000"),
                Arguments.of("limit-rate", "10k"),
                Arguments.of("limit-rate-after", "1m"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidLimits")
    void anUnreadableLimitIsAWarningAndIsNotApplied(String name, String value) {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + name, value));
        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("'" + value + "'");
        });
    }

    @Test
    void anUnreadableLimitLeavesTheOtherLimitsApplied() {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "limit-rps", "x",
                NGINX_PREFIX + "limit-connections", "4"));
        assertThat(parsed.policy()).isEqualTo(policy(0, 0, 5, 4));
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(diagnostic -> assertThat(diagnostic.field()).contains("limit-rps"));
    }

    @Test
    void anUnreadableBurstMultiplierKeepsTheDefaultOfFive() {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "limit-rps", "3",
                OUR_PREFIX + "limit-burst-multiplier", "many"));
        assertThat(parsed.policy()).isEqualTo(policy(3, 0, 5, 0));
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).contains(OUR_PREFIX + "limit-burst-multiplier");
            assertThat(diagnostic.message()).contains("'many'").contains("default applies");
        });
    }

    @Test
    void anUnreadableExemptionListExemptsNobodyAndTheLimitsStillApply() {
        Parsed<RateLimitPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "limit-rps", "3",
                NGINX_PREFIX + "limit-whitelist", "10.0.0.0/8, not-a-cidr"));
        assertThat(parsed.policy()).isEqualTo(policy(3, 0, 5, 0));
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + "limit-whitelist");
            assertThat(diagnostic.message()).contains("not-a-cidr").contains("limits apply to every");
        });
    }

    @Test
    void declaresBothSpellingsOfEveryKeyItReads() {
        assertThat(FAMILY.annotations()).containsExactlyInAnyOrderElementsOf(AnnotationReader.bothSpellings(
                "limit-rps", "limit-rpm", "limit-burst-multiplier", "limit-connections", "limit-whitelist",
                "limit-allowlist", "limit-rate", "limit-rate-after"));
    }
}
