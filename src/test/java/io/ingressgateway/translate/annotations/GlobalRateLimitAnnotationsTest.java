package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The global rate limit annotations, read as ingress-nginx's globalratelimit parser read them. */
class GlobalRateLimitAnnotationsTest {

    private static final GlobalRateLimitAnnotations FAMILY = new GlobalRateLimitAnnotations();

    private static Parsed<GlobalRateLimitPolicy> parse(String... keyValues) {
        Map<String, String> annotations = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = keyValues[i].contains("/") ? keyValues[i] : NGINX_PREFIX + keyValues[i];
            annotations.put(key, keyValues[i + 1]);
        }
        return FAMILY.parse(annotations);
    }

    static Stream<Arguments> windows() {
        return Stream.of(
                // Go durations, truncated to whole seconds as ingress-nginx's int(window.Seconds())
                Arguments.of("1s", 1L),
                Arguments.of("90s", 90L),
                Arguments.of("1m", 60L),
                Arguments.of("2m", 120L),
                Arguments.of("1h", 3600L),
                Arguments.of("1h30m", 5400L),
                Arguments.of("1.5h", 5400L),
                Arguments.of("1m30.9s", 90L),
                Arguments.of("1500ms", 1L),
                Arguments.of("2000000us", 2L),
                Arguments.of("3000000000ns", 3L),
                Arguments.of("+10s", 10L),
                Arguments.of(" 24h ", 86400L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void theWindowIsAGoDurationInWholeSeconds(String window, long seconds) {
        Parsed<GlobalRateLimitPolicy> parsed = parse("global-rate-limit", "5", "global-rate-limit-window", window);

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().limit()).isEqualTo(5);
        assertThat(parsed.policy().windowSeconds()).isEqualTo(seconds);
    }

    @Test
    void theDefaultsAreIngressNginxs() {
        Parsed<GlobalRateLimitPolicy> parsed = parse("global-rate-limit", "5", "global-rate-limit-window", "2m");

        assertThat(parsed.diagnostics()).isEmpty();
        GlobalRateLimitPolicy policy = parsed.policy();
        assertThat(policy.key().written()).isEqualTo("$remote_addr");
        assertThat(policy.key().parts()).containsExactly(new Part(Part.Kind.REMOTE_ADDR, null));
        assertThat(policy.ignoredCidrs()).isEmpty();
    }

    @Test
    void theKeyCombinesNginxVariablesAsIngressNginxDocumentsIt() {
        Parsed<GlobalRateLimitPolicy> parsed = parse("global-rate-limit", "5", "global-rate-limit-window", "1m",
                "global-rate-limit-key", "${remote_addr}-${http_x_api_client}");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().key().parts()).containsExactly(new Part(Part.Kind.REMOTE_ADDR, null),
                new Part(Part.Kind.LITERAL, "-"), new Part(Part.Kind.HEADER, "x-api-client"));
    }

    static Stream<Arguments> keys() {
        return Stream.of(
                Arguments.of("$host", List.of(new Part(Part.Kind.HOST, null))),
                Arguments.of("$uri", List.of(new Part(Part.Kind.URI, null))),
                Arguments.of("$request_uri", List.of(new Part(Part.Kind.REQUEST_URI, null))),
                Arguments.of("$http_authorization", List.of(new Part(Part.Kind.HEADER, "authorization"))),
                Arguments.of("$cookie_session", List.of(new Part(Part.Kind.COOKIE, "session"))),
                Arguments.of("$arg_tenant", List.of(new Part(Part.Kind.ARG, "tenant"))),
                // Text alone: every client shares one counter (a limit on the whole Ingress).
                Arguments.of("everyone", List.of(new Part(Part.Kind.LITERAL, "everyone"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void keysOfOtherVariables(String key, List<Part> parts) {
        Parsed<GlobalRateLimitPolicy> parsed = parse("global-rate-limit", "5", "global-rate-limit-window", "1m",
                "global-rate-limit-key", key);

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().key().parts()).isEqualTo(parts);
    }

    @Test
    void ignoredCidrsAreACommaSeparatedListOfAddressesAndBlocks() {
        Parsed<GlobalRateLimitPolicy> parsed = parse("global-rate-limit", "5", "global-rate-limit-window", "1m",
                "global-rate-limit-ignored-cidrs", "192.168.1.1, 234.234.234.0/24,10.1.2.3/8 , 2001:db8::/32,");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().ignoredCidrs()).containsExactly("192.168.1.1/32", "234.234.234.0/24",
                "10.0.0.0/8", "2001:db8:0:0:0:0:0:0/32");
    }

    @Test
    void ourSpellingWinsOverIngressNginxs() {
        Parsed<GlobalRateLimitPolicy> parsed = parse(NGINX_PREFIX + "global-rate-limit", "5",
                OUR_PREFIX + "global-rate-limit", "7", OUR_PREFIX + "global-rate-limit-window", "10s");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().limit()).isEqualTo(7);
        assertThat(parsed.policy().windowSeconds()).isEqualTo(10);
    }

    static Stream<Arguments> off() {
        return Stream.of(
                // as ingress-nginx: limit 0 or window 0 turn it off
                Arguments.of(new String[] {"global-rate-limit", "0", "global-rate-limit-window", "1m"}, null),
                Arguments.of(new String[] {"global-rate-limit", "5", "global-rate-limit-window", "0"}, null),
                Arguments.of(new String[] {"global-rate-limit-key", "$http_x_api_client"}, null),
                // asked for, but not complete or under a second: a warning says why it is off
                Arguments.of(new String[] {"global-rate-limit", "5"}, "needs global-rate-limit-window"),
                Arguments.of(new String[] {"global-rate-limit-window", "1m"}, "needs global-rate-limit beside"),
                Arguments.of(new String[] {"global-rate-limit", "5", "global-rate-limit-window", "500ms"},
                        "shorter than a second"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("off")
    void withoutBothALimitAndAWindowThereIsNoLimit(String[] annotations, String warning) {
        Parsed<GlobalRateLimitPolicy> parsed = parse(annotations);

        assertThat(parsed.policy()).isNull();
        if (warning == null) {
            assertThat(parsed.diagnostics()).isEmpty();
        } else {
            assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
                assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
                assertThat(diagnostic.message()).contains(warning).contains("no global rate limit applies");
            });
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                // name, value, whether a limit still applies (with the default of that setting)
                Arguments.of("global-rate-limit", "-1", false),
                Arguments.of("global-rate-limit", "five", false),
                Arguments.of("global-rate-limit", "1.5", false),
                Arguments.of("global-rate-limit", "99999999999", false),
                Arguments.of("global-rate-limit-window", "1 minute", false),
                Arguments.of("global-rate-limit-window", "60", false),
                Arguments.of("global-rate-limit-window", "-1m", false),
                Arguments.of("global-rate-limit-window", "1d", false),
                Arguments.of("global-rate-limit-window", "m", false),
                Arguments.of("global-rate-limit-window", "10000h", false),
                Arguments.of("global-rate-limit-key", "$server_name", true),
                Arguments.of("global-rate-limit-key", "${remote_addr", true),
                Arguments.of("global-rate-limit-key", "$", true),
                Arguments.of("global-rate-limit-ignored-cidrs", "10.0.0.0/33", true),
                Arguments.of("global-rate-limit-ignored-cidrs", "10.0.0.0/8, not-an-address", true));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalid")
    void anInvalidValueIsAWarningNamingKeyAndValue(String name, String value, boolean limited) {
        Map<String, String> annotations = new HashMap<>(Map.of(NGINX_PREFIX + "global-rate-limit", "5",
                NGINX_PREFIX + "global-rate-limit-window", "1m"));
        annotations.put(NGINX_PREFIX + name, value);

        Parsed<GlobalRateLimitPolicy> parsed = FAMILY.parse(annotations);

        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("'" + value + "'").contains("the default applies");
        });
        if (!limited) {
            assertThat(parsed.policy()).isNull();
            return;
        }
        // The limit applies with that setting's default: counted by client address, nobody exempt.
        assertThat(parsed.policy().limit()).isEqualTo(5);
        assertThat(parsed.policy().windowSeconds()).isEqualTo(60);
        assertThat(parsed.policy().key().written()).isEqualTo("$remote_addr");
        assertThat(parsed.policy().ignoredCidrs()).isEmpty();
    }

    @Test
    void theFamilyDeclaresBothSpellingsOfItsFourAnnotations() {
        assertThat(FAMILY.annotations()).hasSize(8)
                .contains(NGINX_PREFIX + "global-rate-limit", OUR_PREFIX + "global-rate-limit-ignored-cidrs");
    }
}
