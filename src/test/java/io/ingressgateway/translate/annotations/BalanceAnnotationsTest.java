package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BalancePolicy;
import io.ingressgateway.model.policy.BalancePolicy.Algorithm;
import io.ingressgateway.model.policy.BalancePolicy.CookieAffinity;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part.Kind;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The endpoint choice family: affinity and its cookie, upstream-hash-by, load-balance; table-driven. */
class BalanceAnnotationsTest {

    private static final BalanceAnnotations FAMILY = new BalanceAnnotations();

    private static Parsed<BalancePolicy> parse(String... keyValues) {
        Map<String, String> annotations = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = keyValues[i].contains("/") ? keyValues[i] : NGINX_PREFIX + keyValues[i];
            annotations.put(key, keyValues[i + 1]);
        }
        return FAMILY.parse(annotations);
    }

    @Test
    void affinityCookieAloneTakesIngressNginxDefaults() {
        Parsed<BalancePolicy> parsed = parse("affinity", "cookie");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().affinity()).isEqualTo(new CookieAffinity("INGRESSCOOKIE", null, null, null, null,
                null, null, false, false, false));
        assertThat(parsed.policy().algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
    }

    @Test
    void everyCookieAttributeIsRead() {
        Parsed<BalancePolicy> parsed = parse("affinity", "cookie", "affinity-mode", "persistent",
                "session-cookie-name", "route", "session-cookie-path", "/app", "session-cookie-domain",
                "Example.com", "session-cookie-expires", "172800", "session-cookie-max-age", "3600",
                "session-cookie-secure", "true", "session-cookie-samesite", "none",
                "session-cookie-conditional-samesite-none", "true", "session-cookie-change-on-failure", "TRUE");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().affinity()).isEqualTo(new CookieAffinity("route", "/app", "example.com",
                172800L, 3600L, true, "None", true, true, true));
    }

    static Stream<Arguments> invalidCookieSettings() {
        return Stream.of(
                Arguments.of("affinity", "ip"),
                Arguments.of("affinity-mode", "sticky"),
                Arguments.of("session-cookie-name", "a cookie"),
                Arguments.of("session-cookie-name", "a;b"),
                Arguments.of("session-cookie-path", "app"),
                Arguments.of("session-cookie-path", "/a;b"),
                Arguments.of("session-cookie-domain", "exa mple.com"),
                Arguments.of("session-cookie-expires", "1h"),
                Arguments.of("session-cookie-expires", "0"),
                Arguments.of("session-cookie-max-age", "-5"),
                Arguments.of("session-cookie-secure", "yes"),
                Arguments.of("session-cookie-samesite", "sometimes"),
                Arguments.of("session-cookie-change-on-failure", "1"));
    }

    @ParameterizedTest
    @MethodSource("invalidCookieSettings")
    void anInvalidCookieSettingIsAWarningAndKeepsItsDefault(String name, String value) {
        Parsed<BalancePolicy> parsed = name.equals("affinity") ? parse(name, value)
                : parse("affinity", "cookie", name, value);

        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo(AnnotationReader.field(NGINX_PREFIX + name));
            assertThat(diagnostic.message()).contains(value).contains("ignored");
        });
        if (name.equals("affinity")) {
            assertThat(parsed.policy()).isNull();
        } else {
            assertThat(parsed.policy().affinity()).isEqualTo(new CookieAffinity("INGRESSCOOKIE", null, null, null,
                    null, null, null, false, false, false));
        }
    }

    @Test
    void cookieSettingsWithoutAffinityAreWarnedAsDoingNothing() {
        Parsed<BalancePolicy> parsed = parse("session-cookie-name", "route", "affinity-mode", "persistent");

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).hasSize(2)
                .allSatisfy(d -> assertThat(d.message()).contains("without affinity: cookie"));
    }

    @Test
    void oursWinsOverIngressNginxs() {
        Parsed<BalancePolicy> parsed = parse("affinity", "cookie", "session-cookie-name", "theirs",
                OUR_PREFIX + "session-cookie-name", "ours");

        assertThat(parsed.policy().affinity().name()).isEqualTo("ours");
    }

    static Stream<Arguments> hashKeys() {
        return Stream.of(
                Arguments.of("$remote_addr", List.of(new Part(Kind.REMOTE_ADDR, null))),
                Arguments.of("$request_uri", List.of(new Part(Kind.REQUEST_URI, null))),
                Arguments.of("$http_x_user", List.of(new Part(Kind.HEADER, "x-user"))),
                Arguments.of("$http_X_User", List.of(new Part(Kind.HEADER, "x-user"))),
                Arguments.of("$cookie_session", List.of(new Part(Kind.COOKIE, "session"))),
                Arguments.of("$arg_tenant", List.of(new Part(Kind.ARG, "tenant"))),
                Arguments.of("${host}$uri", List.of(new Part(Kind.HOST, null), new Part(Kind.URI, null))),
                Arguments.of("$args", List.of(new Part(Kind.ARGS, null))),
                Arguments.of("user-$arg_id-x", List.of(new Part(Kind.LITERAL, "user-"), new Part(Kind.ARG, "id"),
                        new Part(Kind.LITERAL, "-x"))),
                Arguments.of("$remote_addr:$http_x_tenant", List.of(new Part(Kind.REMOTE_ADDR, null),
                        new Part(Kind.LITERAL, ":"), new Part(Kind.HEADER, "x-tenant"))));
    }

    @ParameterizedTest
    @MethodSource("hashKeys")
    void hashKeysAreSplitIntoLiteralsAndVariables(String value, List<Part> parts) {
        Parsed<BalancePolicy> parsed = parse("upstream-hash-by", value);

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().hashBy().parts()).isEqualTo(parts);
        assertThat(parsed.policy().hashBy().written()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "constant", "$", "${host", "$upstream_addr", "$request_id", "${}", "$http_"})
    void aHashKeyTheGatewayCannotEvaluateIsAWarningAndNotUsed(String value) {
        Parsed<BalancePolicy> parsed = parse("upstream-hash-by", value);

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.field()).isEqualTo(AnnotationReader.field(NGINX_PREFIX + "upstream-hash-by")));
    }

    @Test
    void hashBySubsetIsReportedUnsupportedAndPlainHashingApplies() {
        Parsed<BalancePolicy> parsed = parse("upstream-hash-by", "$request_uri", "upstream-hash-by-subset", "true");

        assertThat(parsed.policy().hashBy()).isNotNull();
        assertThat(parsed.diagnostics()).singleElement().extracting(Diagnostic::message).asString()
                .contains("subset").contains("each key is hashed onto one endpoint");
        assertThat(parse("upstream-hash-by", "$request_uri", "upstream-hash-by-subset", "false").diagnostics())
                .isEmpty();
    }

    @Test
    void loadBalanceReadsRoundRobinAndEwma() {
        assertThat(parse("load-balance", "ewma").policy()).isEqualTo(new BalancePolicy(null, null, Algorithm.EWMA));
        // Round robin is the default: no policy at all, so the route takes the default path.
        Parsed<BalancePolicy> roundRobin = parse("load-balance", "round_robin");
        assertThat(roundRobin.policy()).isNull();
        assertThat(roundRobin.diagnostics()).isEmpty();
        Parsed<BalancePolicy> unknown = parse("load-balance", "least_conn");
        assertThat(unknown.policy()).isNull();
        assertThat(unknown.diagnostics()).singleElement().extracting(Diagnostic::message).asString()
                .contains("least_conn");
    }

    @Test
    void affinityAndHashingAndAlgorithmAreAllKeptTheChooserDecidesPrecedence() {
        BalancePolicy policy = parse("affinity", "cookie", "upstream-hash-by", "$remote_addr",
                "load-balance", "ewma").policy();

        assertThat(policy.affinity()).isNotNull();
        assertThat(policy.hashBy()).isNotNull();
        assertThat(policy.algorithm()).isEqualTo(Algorithm.EWMA);
    }
}
