package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CorsPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The CORS annotations, read with ingress-nginx's defaults and checks, and origins matched as its regex does. */
class CorsAnnotationsTest {

    private static final CorsAnnotations FAMILY = new CorsAnnotations();

    private static Parsed<CorsPolicy> parse(String... keysAndValues) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(NGINX_PREFIX + "enable-cors", "true");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            annotations.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return FAMILY.parse(annotations);
    }

    @Test
    void enableCorsAloneGivesIngressNginxsDefaults() {
        Parsed<CorsPolicy> parsed = parse();

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new CorsPolicy(true, List.of(), CorsPolicy.DEFAULT_METHODS,
                CorsPolicy.DEFAULT_HEADERS, null, true, 1_728_000));
        assertThat(CorsPolicy.DEFAULT_METHODS).isEqualTo("GET, PUT, POST, DELETE, PATCH, OPTIONS");
        assertThat(CorsPolicy.DEFAULT_HEADERS).isEqualTo("DNT,Keep-Alive,User-Agent,X-Requested-With,"
                + "If-Modified-Since,Cache-Control,Content-Type,Range,Authorization");
    }

    static Stream<Arguments> disabled() {
        return Stream.of(Arguments.of("false"), Arguments.of("FALSE"), Arguments.of("yes"));
    }

    @ParameterizedTest(name = "enable-cors: {0}")
    @MethodSource("disabled")
    void withoutEnableCorsNothingApplies(String enable) {
        Parsed<CorsPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "enable-cors", enable,
                NGINX_PREFIX + "cors-allow-origin", "https://a.example.com"));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).hasSize(enable.equals("yes") ? 1 : 0);
    }

    @Test
    void everySettingIsRead() {
        Parsed<CorsPolicy> parsed = parse(
                NGINX_PREFIX + "cors-allow-methods", "PUT, GET, POST, OPTIONS",
                NGINX_PREFIX + "cors-allow-headers", "X-Forwarded-For, X-app123-XPTO",
                NGINX_PREFIX + "cors-expose-headers", "*, X-CustomResponseHeader",
                NGINX_PREFIX + "cors-allow-credentials", "false",
                NGINX_PREFIX + "cors-max-age", "600");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new CorsPolicy(true, List.of(), "PUT, GET, POST, OPTIONS",
                "X-Forwarded-For, X-app123-XPTO", "*, X-CustomResponseHeader", false, 600));
    }

    @Test
    void ourSpellingWins() {
        Parsed<CorsPolicy> parsed = FAMILY.parse(Map.of(NGINX_PREFIX + "enable-cors", "false",
                OUR_PREFIX + "enable-cors", "true", NGINX_PREFIX + "cors-max-age", "60",
                OUR_PREFIX + "cors-max-age", "120"));

        assertThat(parsed.policy().maxAgeSeconds()).isEqualTo(120);
    }

    /** Origin list, Origin header sent, what Access-Control-Allow-Origin says (null: no CORS headers). */
    static Stream<Arguments> origins() {
        return Stream.of(
                Arguments.of("*", null, "*"),
                Arguments.of("*", "https://any.example.org", "*"),
                Arguments.of("*, foo.bar.com", "https://x.test", "*"),
                Arguments.of("https://origin.cors.com:8080", "https://origin.cors.com:8080", "https://origin.cors.com:8080"),
                Arguments.of("https://origin.cors.com:8080", null, null),
                Arguments.of("https://foo.bar.com", "https://fooxbar.com", null),
                Arguments.of("https://foo.bar.com", "https://FOO.bar.com", "https://FOO.bar.com"),
                Arguments.of("https://foo.bar.com", "https://foo.bar.com.evil.test", null),
                Arguments.of("https://foo.bar.com", "https://evil.test/https://foo.bar.com", null),
                Arguments.of("http://origin.cors.com:8080", "http://origin.cors.com", null),
                Arguments.of("http://origin.cors.com", "http://origin.cors.com:8080", null),
                Arguments.of("https://a.test, http://b.test:81", "http://b.test:81", "http://b.test:81"),
                Arguments.of("http://*.origin.cors.com, http://*.origin.com:8080", "http://foo.origin.cors.com",
                        "http://foo.origin.cors.com"),
                Arguments.of("http://*.origin.cors.com", "http://bar-foo.origin.cors.com",
                        "http://bar-foo.origin.cors.com"),
                Arguments.of("http://*.origin.cors.com", "http://bar.foo.origin.cors.com", null),
                Arguments.of("http://*.origin.cors.com", "http://origin.cors.com", null),
                Arguments.of("http://*.origin.cors.com", "https://foo.origin.cors.com", null),
                Arguments.of("http://*.origin.com:8080", "http://abc.origin.com:8080", "http://abc.origin.com:8080"),
                Arguments.of("http://*.origin.com:8080", "http://abc.origin.com", null),
                Arguments.of("null", "null", "null"),
                Arguments.of("myprotocol://example.org:1199", "myprotocol://example.org:1199",
                        "myprotocol://example.org:1199"));
    }

    @ParameterizedTest(name = "{0} <- {1}")
    @MethodSource("origins")
    void originsMatchAsIngressNginxsRegexDoes(String list, String origin, String allowOrigin) {
        Parsed<CorsPolicy> parsed = parse(NGINX_PREFIX + "cors-allow-origin", list);

        // "*" ends the list, as in ingress-nginx: what follows it is not even read.
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().allowOriginFor(origin)).isEqualTo(allowOrigin);
    }

    @Test
    void anInvalidOriginIsSkippedWithAWarningAndTheOthersApply() {
        Parsed<CorsPolicy> parsed = parse(NGINX_PREFIX + "cors-allow-origin",
                "https://ok.test, origin.cors.com:8080, https://ok.test/path");

        assertThat(parsed.diagnostics()).extracting(Diagnostic::message)
                .anyMatch(m -> m.contains("'origin.cors.com:8080'")).anyMatch(m -> m.contains("'https://ok.test/path'"))
                .hasSize(2);
        assertThat(parsed.policy().allowOriginFor("https://ok.test")).isEqualTo("https://ok.test");
    }

    @Test
    void aListWithNoValidOriginAllowsNoneRatherThanEvery() {
        Parsed<CorsPolicy> parsed = parse(OUR_PREFIX + "cors-allow-origin", "foo.bar.com");

        assertThat(parsed.diagnostics()).extracting(Diagnostic::message)
                .anyMatch(m -> m.contains("no origin is allowed"));
        assertThat(parsed.policy().anyOrigin()).isFalse();
        assertThat(parsed.policy().allowOriginFor("https://foo.bar.com")).isNull();
        assertThat(parsed.policy().allowOriginFor(null)).isNull();
    }

    /** An annotation and a value ingress-nginx refuses: a warning, and the default applies. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("cors-allow-methods", "GET; DROP"),
                Arguments.of("cors-allow-methods", "GET, $request_method"),
                Arguments.of("cors-allow-methods", ""),
                Arguments.of("cors-allow-headers", "X-A, $http_x"),
                Arguments.of("cors-allow-headers", "X-A\r\nX-Injected: 1"),
                Arguments.of("cors-allow-headers", ""),
                Arguments.of("cors-expose-headers", "X-A; X-B"),
                Arguments.of("cors-allow-credentials", "maybe"),
                Arguments.of("cors-max-age", "-1"),
                Arguments.of("cors-max-age", "ten"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalid")
    void anInvalidValueIsAWarningAndKeepsTheDefault(String name, String value) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(OUR_PREFIX + "enable-cors", "true");
        annotations.put(NGINX_PREFIX + name, value);
        Parsed<CorsPolicy> parsed = FAMILY.parse(annotations);

        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("the default applies");
        });
        assertThat(parsed.policy()).isEqualTo(new CorsPolicy(true, List.of(), CorsPolicy.DEFAULT_METHODS,
                CorsPolicy.DEFAULT_HEADERS, null, true, CorsPolicy.DEFAULT_MAX_AGE_SECONDS));
    }
}
