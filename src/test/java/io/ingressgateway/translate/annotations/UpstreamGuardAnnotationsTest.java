package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.CIRCUIT_BREAKER_FAILURE_RATE;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.CIRCUIT_BREAKER_SLOW_CALL_DURATION;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.CONNECT_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.MAX_CONCURRENT_REQUESTS;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.NGINX_CONNECT_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.NGINX_READ_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.NGINX_SEND_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.READ_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.RETRIES;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.SEND_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.NextUpstream;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every upstream guard annotation, valid and invalid, read by its family. */
class UpstreamGuardAnnotationsTest {

    private static final UpstreamGuardAnnotations FAMILY = new UpstreamGuardAnnotations();

    /** The policy a reading gives routes: its own, or the defaults when it sets nothing. */
    private static UpstreamPolicy policyOf(Parsed<UpstreamPolicy> result) {
        return result.policy() == null ? UpstreamPolicy.DEFAULTS : result.policy();
    }

    private static final Function<UpstreamPolicy, Object> CONNECT = UpstreamPolicy::connectTimeout;
    private static final Function<UpstreamPolicy, Object> READ = UpstreamPolicy::readTimeout;
    private static final Function<UpstreamPolicy, Object> SEND = UpstreamPolicy::sendTimeout;
    private static final Function<UpstreamPolicy, Object> CONCURRENT = UpstreamPolicy::maxConcurrentRequests;
    private static final Function<UpstreamPolicy, Object> RETRY = UpstreamPolicy::retries;
    private static final Function<UpstreamPolicy, Object> FAILURE_RATE = UpstreamPolicy::circuitBreakerFailureRate;
    private static final Function<UpstreamPolicy, Object> SLOW_CALL = UpstreamPolicy::circuitBreakerSlowCallDuration;

    static Stream<Arguments> validValues() {
        return Stream.of(
                // Durations: unit suffixes, bare seconds, combinations, whitespace.
                Arguments.of(CONNECT_TIMEOUT, "5s", CONNECT, Duration.ofSeconds(5)),
                Arguments.of(CONNECT_TIMEOUT, "500ms", CONNECT, Duration.ofMillis(500)),
                Arguments.of(CONNECT_TIMEOUT, "1m", CONNECT, Duration.ofMinutes(1)),
                Arguments.of(CONNECT_TIMEOUT, "1h", CONNECT, Duration.ofHours(1)),
                Arguments.of(CONNECT_TIMEOUT, "7", CONNECT, Duration.ofSeconds(7)),
                Arguments.of(CONNECT_TIMEOUT, " 2s ", CONNECT, Duration.ofSeconds(2)),
                Arguments.of(READ_TIMEOUT, "1m30s", READ, Duration.ofSeconds(90)),
                Arguments.of(READ_TIMEOUT, "1s500ms", READ, Duration.ofMillis(1500)),
                Arguments.of(READ_TIMEOUT, "24h", READ, Duration.ofHours(24)),
                Arguments.of(READ_TIMEOUT, "86400", READ, Duration.ofDays(1)),
                Arguments.of(READ_TIMEOUT, "1ms", READ, Duration.ofMillis(1)),
                Arguments.of(CIRCUIT_BREAKER_SLOW_CALL_DURATION, "2s", SLOW_CALL, Duration.ofSeconds(2)),
                Arguments.of(CIRCUIT_BREAKER_SLOW_CALL_DURATION, "250ms", SLOW_CALL, Duration.ofMillis(250)),
                // ingress-nginx spellings: whole seconds.
                Arguments.of(NGINX_CONNECT_TIMEOUT, "3", CONNECT, Duration.ofSeconds(3)),
                Arguments.of(NGINX_READ_TIMEOUT, "3600", READ, Duration.ofHours(1)),
                Arguments.of(NGINX_READ_TIMEOUT, "0120", READ, Duration.ofSeconds(120)),
                Arguments.of(NGINX_SEND_TIMEOUT, "1", SEND, Duration.ofSeconds(1)),
                Arguments.of(NGINX_SEND_TIMEOUT, "600", SEND, Duration.ofMinutes(10)),
                Arguments.of(NGINX_SEND_TIMEOUT, " 30 ", SEND, Duration.ofSeconds(30)),
                Arguments.of(SEND_TIMEOUT, "90s", SEND, Duration.ofSeconds(90)),
                Arguments.of(SEND_TIMEOUT, "2m", SEND, Duration.ofMinutes(2)),
                Arguments.of(SEND_TIMEOUT, "45", SEND, Duration.ofSeconds(45)),
                // Integers.
                Arguments.of(MAX_CONCURRENT_REQUESTS, "1", CONCURRENT, 1),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "250", CONCURRENT, 250),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "+8", CONCURRENT, 8),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "1000000", CONCURRENT, 1_000_000),
                Arguments.of(RETRIES, "0", RETRY, 0),
                Arguments.of(RETRIES, "-0", RETRY, 0),
                Arguments.of(RETRIES, "3", RETRY, 3),
                Arguments.of(RETRIES, "10", RETRY, 10),
                Arguments.of(RETRIES, "007", RETRY, 7),
                // Percentages.
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "50", FAILURE_RATE, 50f),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "25%", FAILURE_RATE, 25f),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "1", FAILURE_RATE, 1f),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "100", FAILURE_RATE, 100f),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "12.5", FAILURE_RATE, 12.5f));
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("validValues")
    void readsValidValues(String annotation, String value, Function<UpstreamPolicy, Object> field, Object expected) {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(annotation, value));

        assertThat(result.diagnostics()).isEmpty();
        assertThat(field.apply(policyOf(result))).isEqualTo(expected);
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                // Durations.
                Arguments.of(CONNECT_TIMEOUT, "", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "  ", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "0", "must be greater than zero"),
                Arguments.of(CONNECT_TIMEOUT, "0s", "must be greater than zero"),
                Arguments.of(CONNECT_TIMEOUT, "0ms", "must be greater than zero"),
                Arguments.of(CONNECT_TIMEOUT, "-5s", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "-5", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "five", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "5sec", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "5 s", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "5S", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "1.5s", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "5d", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "s", "is not a duration"),
                Arguments.of(CONNECT_TIMEOUT, "PT5S", "is not a duration"),
                Arguments.of(READ_TIMEOUT, "25h", "longer than the maximum"),
                Arguments.of(READ_TIMEOUT, "86401", "longer than the maximum"),
                Arguments.of(READ_TIMEOUT, "99999999999999999999s", "longer than the maximum"),
                Arguments.of(READ_TIMEOUT, "99999999999999999999", "longer than the maximum"),
                Arguments.of(READ_TIMEOUT, "1440m1s", "longer than the maximum"),
                Arguments.of(CIRCUIT_BREAKER_SLOW_CALL_DURATION, "0s", "must be greater than zero"),
                Arguments.of(CIRCUIT_BREAKER_SLOW_CALL_DURATION, "fast", "is not a duration"),
                // ingress-nginx spellings take whole seconds only, as ingress-nginx does.
                Arguments.of(NGINX_CONNECT_TIMEOUT, "5s", "is not a whole number of seconds"),
                Arguments.of(NGINX_CONNECT_TIMEOUT, "-1", "is not a whole number of seconds"),
                Arguments.of(NGINX_CONNECT_TIMEOUT, "0", "must be greater than zero"),
                Arguments.of(NGINX_READ_TIMEOUT, "1.5", "is not a whole number of seconds"),
                Arguments.of(NGINX_READ_TIMEOUT, "100000", "longer than the maximum"),
                Arguments.of(NGINX_SEND_TIMEOUT, "60s", "is not a whole number of seconds"),
                Arguments.of(NGINX_SEND_TIMEOUT, "0", "must be greater than zero"),
                Arguments.of(NGINX_SEND_TIMEOUT, "", "is not a whole number of seconds"),
                Arguments.of(NGINX_SEND_TIMEOUT, "86401", "longer than the maximum"),
                Arguments.of(SEND_TIMEOUT, "0s", "must be greater than zero"),
                Arguments.of(SEND_TIMEOUT, "soon", "is not a duration"),
                Arguments.of(SEND_TIMEOUT, "25h", "longer than the maximum"),
                // Integers.
                Arguments.of(MAX_CONCURRENT_REQUESTS, "0", "out of range"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "-1", "out of range"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "1000001", "out of range"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "2147483648", "out of range"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "99999999999999999999", "out of range"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "ten", "is not a whole number"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "1.5", "is not a whole number"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "1e3", "is not a whole number"),
                Arguments.of(MAX_CONCURRENT_REQUESTS, "", "is not a whole number"),
                Arguments.of(RETRIES, "11", "out of range"),
                Arguments.of(RETRIES, "-1", "out of range"),
                Arguments.of(RETRIES, "two", "is not a whole number"),
                Arguments.of(RETRIES, "2x", "is not a whole number"),
                // Percentages.
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "0", "out of range"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "0.5", "out of range"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "101", "out of range"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "100.01", "out of range"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "-10", "is not a percentage"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "half", "is not a percentage"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "NaN", "is not a percentage"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "0.5%%", "is not a percentage"),
                Arguments.of(CIRCUIT_BREAKER_FAILURE_RATE, "99999999999", "is not a percentage"));
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("invalidValues")
    void invalidValueIsAWarningNamingAnnotationAndValueAndTheDefaultApplies(String annotation, String value,
                                                                           String reason) {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(annotation, value));

        // Nothing readable: no policy, so every route keeps the defaults.
        assertThat(result.policy()).isNull();
        assertThat(result.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + annotation + "']");
            assertThat(diagnostic.message()).contains("'" + value + "'").contains(reason)
                    .contains("the default applies");
        });
    }

    @Test
    void noAnnotationsIsNoPolicy() {
        assertThat(FAMILY.parse(null)).isEqualTo(Parsed.nothing());
        assertThat(FAMILY.parse(Map.of())).isEqualTo(Parsed.nothing());
        // Through the registry, which hands the family only its own annotations: no policy. (The two keys are a
        // warning each since every unserved key is accounted for, see NginxAnnotationCatalogTest.)
        AnnotationFamilies.Read others = AnnotationFamilies.standard().read(Map.of(
                "nginx.ingress.kubernetes.io/configuration-snippet", "x", "ingress-gateway.io/unknown", "x"));
        assertThat(others.policies()).isEqualTo(RoutePolicies.NONE);
        assertThat(others.diagnostics()).extracting(Diagnostic::field).containsExactly(
                "metadata.annotations['ingress-gateway.io/unknown']",
                "metadata.annotations['nginx.ingress.kubernetes.io/configuration-snippet']");
        // Values that are the defaults are no policy either: routes that ask for the defaults are equal.
        assertThat(FAMILY.parse(Map.of(CONNECT_TIMEOUT, "soon")).policy()).isNull();
    }

    @Test
    void declaresEveryAnnotationItReads() {
        assertThat(FAMILY.annotations()).containsExactlyInAnyOrder(CONNECT_TIMEOUT, READ_TIMEOUT,
                MAX_CONCURRENT_REQUESTS, RETRIES, CIRCUIT_BREAKER_FAILURE_RATE, CIRCUIT_BREAKER_SLOW_CALL_DURATION,
                NGINX_CONNECT_TIMEOUT, NGINX_READ_TIMEOUT, SEND_TIMEOUT, NGINX_SEND_TIMEOUT,
                NGINX + "proxy-next-upstream", OURS + "proxy-next-upstream",
                NGINX + "proxy-next-upstream-tries", OURS + "proxy-next-upstream-tries",
                NGINX + "proxy-next-upstream-timeout", OURS + "proxy-next-upstream-timeout");
    }

    // ---- proxy-next-upstream, -tries, -timeout ----

    private static final String NGINX = "nginx.ingress.kubernetes.io/";
    private static final String OURS = "ingress-gateway.io/";

    static Stream<Arguments> nextUpstreamConditions() {
        return Stream.of(
                Arguments.of("error timeout", new NextUpstream(true, true, false, Set.of(), false)),
                Arguments.of("error", new NextUpstream(true, false, false, Set.of(), false)),
                Arguments.of("timeout", new NextUpstream(false, true, false, Set.of(), false)),
                Arguments.of("off", NextUpstream.OFF),
                Arguments.of(" OFF ", NextUpstream.OFF),
                Arguments.of("error timeout http_502 http_503 http_504 non_idempotent",
                        new NextUpstream(true, true, false, Set.of(502, 503, 504), true)),
                Arguments.of("http_500  http_429\thttp_404 http_403",
                        new NextUpstream(false, false, false, Set.of(403, 404, 429, 500), false)),
                Arguments.of("invalid_header error", new NextUpstream(true, false, true, Set.of(), false)),
                Arguments.of("error error", new NextUpstream(true, false, false, Set.of(), false)));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("nextUpstreamConditions")
    void readsNextUpstreamConditions(String value, NextUpstream expected) {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(NGINX + "proxy-next-upstream", value));

        assertThat(result.diagnostics()).isEmpty();
        assertThat(policyOf(result).nextUpstream()).isEqualTo(expected);
    }

    static Stream<Arguments> invalidNextUpstream() {
        return Stream.of(
                Arguments.of("proxy-next-upstream", "", "is not 'off' or a list of"),
                Arguments.of("proxy-next-upstream", "error http_501", "is not 'off' or a list of"),
                Arguments.of("proxy-next-upstream", "error off", "is not 'off' or a list of"),
                Arguments.of("proxy-next-upstream", "http_5xx", "is not 'off' or a list of"),
                Arguments.of("proxy-next-upstream", "error,timeout", "is not 'off' or a list of"),
                Arguments.of("proxy-next-upstream", "non_idempotent", "names no condition to retry on"),
                Arguments.of("proxy-next-upstream-tries", "-1", "out of range"),
                Arguments.of("proxy-next-upstream-tries", "12", "out of range"),
                Arguments.of("proxy-next-upstream-tries", "three", "is not a whole number"),
                Arguments.of("proxy-next-upstream-timeout", "10s", "is not a whole number"),
                Arguments.of("proxy-next-upstream-timeout", "86401", "out of range"));
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("invalidNextUpstream")
    void invalidNextUpstreamValueIsAWarningAndTheDefaultApplies(String name, String value, String reason) {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(NGINX + name, value));

        assertThat(result.policy()).isNull();
        assertThat(result.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX + name + "']");
            assertThat(diagnostic.message()).contains("'" + value + "'").contains(reason)
                    .contains("the default applies");
        });
    }

    static Stream<Arguments> triesAndRetries() {
        return Stream.of(
                // ingress-nginx counts every try; we count the ones after the first. 0 is "no limit": our most.
                Arguments.of(Map.of(NGINX + "proxy-next-upstream-tries", "3"), 2),
                Arguments.of(Map.of(NGINX + "proxy-next-upstream-tries", "1"), 0),
                Arguments.of(Map.of(NGINX + "proxy-next-upstream-tries", "11"), 10),
                Arguments.of(Map.of(NGINX + "proxy-next-upstream-tries", "0"), 10),
                Arguments.of(Map.of(OURS + "proxy-next-upstream-tries", "2", NGINX + "proxy-next-upstream-tries",
                        "5"), 1),
                // Our own retries annotation says it directly, and wins.
                Arguments.of(Map.of(RETRIES, "4", NGINX + "proxy-next-upstream-tries", "2"), 4));
    }

    @ParameterizedTest
    @MethodSource("triesAndRetries")
    void triesBecomeRetries(Map<String, String> annotations, int retries) {
        Parsed<UpstreamPolicy> result = FAMILY.parse(annotations);

        assertThat(result.diagnostics()).isEmpty();
        assertThat(policyOf(result).retries()).isEqualTo(retries);
    }

    @Test
    void anInvalidRetriesLetsTheTriesApply() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(RETRIES, "many", NGINX + "proxy-next-upstream-tries",
                "4"));

        assertThat(policyOf(result).retries()).isEqualTo(3);
        assertThat(result.diagnostics()).singleElement().satisfies(diagnostic -> assertThat(diagnostic.message())
                .contains("'many'").contains(NGINX + "proxy-next-upstream-tries applies"));
    }

    @Test
    void nextUpstreamTimeoutIsWholeSecondsAndZeroIsNoLimit() {
        assertThat(policyOf(FAMILY.parse(Map.of(NGINX + "proxy-next-upstream-timeout", "15")))
                .nextUpstreamTimeout()).isEqualTo(Duration.ofSeconds(15));
        Parsed<UpstreamPolicy> zero = FAMILY.parse(Map.of(NGINX + "proxy-next-upstream-timeout", "0"));
        assertThat(zero.diagnostics()).isEmpty();
        assertThat(policyOf(zero).nextUpstreamTimeout()).isNull();
    }

    @Test
    void everyAnnotationTogether() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(CONNECT_TIMEOUT, "2s");
        annotations.put(READ_TIMEOUT, "30s");
        annotations.put(MAX_CONCURRENT_REQUESTS, "64");
        annotations.put(RETRIES, "1");
        annotations.put(CIRCUIT_BREAKER_FAILURE_RATE, "30");
        annotations.put(CIRCUIT_BREAKER_SLOW_CALL_DURATION, "3s");
        annotations.put(SEND_TIMEOUT, "20s");
        annotations.put(NGINX + "proxy-next-upstream", "error http_503");
        annotations.put(NGINX + "proxy-next-upstream-timeout", "9");

        Parsed<UpstreamPolicy> result = FAMILY.parse(annotations);

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.policy()).isEqualTo(new UpstreamPolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), 64, 1,
                30f, Duration.ofSeconds(3), Duration.ofSeconds(20),
                new NextUpstream(true, false, false, Set.of(503), false), Duration.ofSeconds(9)));
    }

    @Test
    void oursWinsOverTheNginxSpelling() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(CONNECT_TIMEOUT, "2s", NGINX_CONNECT_TIMEOUT, "9",
                READ_TIMEOUT, "500ms", NGINX_READ_TIMEOUT, "120", SEND_TIMEOUT, "7s", NGINX_SEND_TIMEOUT, "90"));

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.policy().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(result.policy().readTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(result.policy().sendTimeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void anInvalidNginxSpellingIsIgnoredSilentlyWhenOursIsValid() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(READ_TIMEOUT, "5s", NGINX_READ_TIMEOUT, "5s"));

        assertThat(result.diagnostics()).isEmpty();
        assertThat(result.policy().readTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void whenOursIsInvalidAValidNginxSpellingApplies() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(READ_TIMEOUT, "soon", NGINX_READ_TIMEOUT, "120"));

        assertThat(result.policy().readTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(result.diagnostics()).singleElement().satisfies(diagnostic -> assertThat(diagnostic.message())
                .contains("'soon'").contains(NGINX_READ_TIMEOUT + " applies"));
    }

    @Test
    void bothSpellingsInvalidGiveTwoWarningsAndTheDefault() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(CONNECT_TIMEOUT, "soon", NGINX_CONNECT_TIMEOUT, "x"));

        assertThat(policyOf(result).connectTimeout()).isNull();
        assertThat(result.diagnostics()).hasSize(2);
    }

    @Test
    void oneInvalidAnnotationLeavesTheOthersApplied() {
        Parsed<UpstreamPolicy> result = FAMILY.parse(Map.of(READ_TIMEOUT, "-1s", RETRIES, "4",
                MAX_CONCURRENT_REQUESTS, "many", CONNECT_TIMEOUT, "1s"));

        assertThat(result.policy()).isEqualTo(new UpstreamPolicy(Duration.ofSeconds(1), null, null, 4, null, null));
        assertThat(result.diagnostics()).extracting(Diagnostic::field).containsExactlyInAnyOrder(
                "metadata.annotations['" + READ_TIMEOUT + "']",
                "metadata.annotations['" + MAX_CONCURRENT_REQUESTS + "']");
    }
}
