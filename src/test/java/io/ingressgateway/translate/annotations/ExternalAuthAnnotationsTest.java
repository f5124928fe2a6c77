package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ExternalAuthPolicy;
import io.ingressgateway.model.policy.ExternalAuthPolicy.CacheRule;
import io.ingressgateway.model.policy.ExternalAuthPolicy.ProxySetHeaders;
import io.ingressgateway.model.policy.NginxTemplate;
import io.ingressgateway.model.policy.NginxTemplate.Part;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The external authentication annotations, read as ingress-nginx's authreq parser reads them. */
class ExternalAuthAnnotationsTest {

    private static final ExternalAuthAnnotations FAMILY = new ExternalAuthAnnotations();
    private static final String URL = "http://oauth2-proxy.auth.svc.cluster.local:4180/oauth2/auth";

    private static Parsed<ExternalAuthPolicy> parse(String... keysAndValues) {
        Map<String, String> annotations = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            annotations.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return FAMILY.parse(annotations);
    }

    @Test
    void aPlainAuthUrlWithNginxDefaults() {
        Parsed<ExternalAuthPolicy> parsed = parse(NGINX_PREFIX + "auth-url", URL);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ExternalAuthPolicy(null,
                new NginxTemplate(List.of(Part.literal(URL))), null, null, List.of(), null, false, null, List.of(),
                null));
    }

    static Stream<Arguments> urls() {
        return Stream.of(
                Arguments.of("https://auth.example.com/check",
                        List.of(Part.literal("https://auth.example.com/check"))),
                Arguments.of("http://$host/oauth2/auth", List.of(Part.literal("http://"), Part.variable("host"),
                        Part.literal("/oauth2/auth"))),
                Arguments.of("https://auth.example.com/start?rd=$escaped_request_uri",
                        List.of(Part.literal("https://auth.example.com/start?rd="),
                                Part.variable("escaped_request_uri"))),
                Arguments.of("http://a.b:9091/api/verify?u=${scheme}://${http_host}$request_uri",
                        List.of(Part.literal("http://a.b:9091/api/verify?u="), Part.variable("scheme"),
                                Part.literal("://"), Part.variable("http_host"), Part.variable("request_uri"))),
                Arguments.of("http://a/x?t=$http_x_token&c=$cookie_session&a=$arg_page",
                        List.of(Part.literal("http://a/x?t="), Part.variable("http_x_token"), Part.literal("&c="),
                                Part.variable("cookie_session"), Part.literal("&a="), Part.variable("arg_page"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void authUrlVariablesAreSplitOutAtParseTime(String url, List<Part> parts) {
        Parsed<ExternalAuthPolicy> parsed = parse(NGINX_PREFIX + "auth-url", url);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().refusal()).isNull();
        assertThat(parsed.policy().url().parts()).isEqualTo(parts);
    }

    static Stream<Arguments> deniedValues() {
        return Stream.of(
                // ingress-nginx's own e2e case: "could not parse auth-url annotation: invalid url host"
                Arguments.of("auth-url", "https://invalid..auth.url"),
                Arguments.of("auth-url", "auth.example.com/check"),
                Arguments.of("auth-url", "ftp://auth.example.com/"),
                Arguments.of("auth-url", "http:///path"),
                Arguments.of("auth-url", "http://a.b:port/"),
                Arguments.of("auth-url", "http://$hostname/check"),
                Arguments.of("auth-url", "http://a/check?$"),
                Arguments.of("auth-url", "http://a/check\r\nX: y"),
                Arguments.of("auth-url", "http://a/check\"; return 200;"),
                Arguments.of("auth-url", ""),
                Arguments.of("auth-method", "get"),
                Arguments.of("auth-method", "BREW"),
                Arguments.of("auth-response-headers", "X-User, X User"),
                Arguments.of("auth-response-headers", "X-User;X-Email"),
                Arguments.of("auth-cache-duration", "200 202"),
                Arguments.of("auth-cache-duration", "5 minutes"),
                Arguments.of("auth-cache-duration", "200 202 5m, oops"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("deniedValues")
    void anUnreadableSecuritySettingDeniesTheRouteInsteadOfServingItUnauthenticated(String name, String value) {
        Map<String, String> annotations = new HashMap<>(Map.of(NGINX_PREFIX + "auth-url", URL));
        annotations.put(NGINX_PREFIX + name, value);
        Parsed<ExternalAuthPolicy> parsed = FAMILY.parse(annotations);
        assertThat(parsed.policy()).isNotNull();
        assertThat(parsed.policy().refusal()).isNotNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("'" + value + "'").contains("503")
                    .contains("never served without it");
        });
    }

    static Stream<Arguments> warnedValues() {
        return Stream.of(
                Arguments.of("auth-signin", "/relative/start"),
                Arguments.of("auth-signin", "https://login.example.com/start?x=$nonsense"),
                Arguments.of("auth-signin-redirect-param", "r d"),
                Arguments.of("auth-request-redirect", "https://$host/"),
                Arguments.of("auth-always-set-cookie", "yes"),
                Arguments.of("auth-cache-key", "$http_authorization;"),
                Arguments.of("auth-cache-key", "$unknown_variable"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("warnedValues")
    void otherUnreadableValuesAreWarningsAndKeepTheirDefaults(String name, String value) {
        Map<String, String> annotations = new HashMap<>(Map.of(NGINX_PREFIX + "auth-url", URL));
        annotations.put(NGINX_PREFIX + name, value);
        Parsed<ExternalAuthPolicy> parsed = FAMILY.parse(annotations);
        assertThat(parsed.policy().refusal()).isNull();
        assertThat(parsed.policy()).isEqualTo(FAMILY.parse(Map.of(NGINX_PREFIX + "auth-url", URL)).policy());
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).contains(NGINX_PREFIX + name);
            assertThat(diagnostic.message()).contains("'" + value + "'").contains("default applies");
        });
    }

    static Stream<Arguments> signins() {
        List<Part> original = List.of(Part.variable("pass_access_scheme"), Part.literal("://"),
                Part.variable("http_host"), Part.variable("escaped_request_uri"));
        return Stream.of(
                // ingress-nginx's e2e: http://$host/auth/start -> ...?rd=http://<host><escaped request URI>
                Arguments.of("http://$host/auth/start", null, Stream.concat(Stream.of(Part.literal("http://"),
                        Part.variable("host"), Part.literal("/auth/start"), Part.literal("?rd=")),
                        original.stream()).toList()),
                Arguments.of("https://login.example.com/start?x=1", "orig", Stream.concat(Stream.of(
                        Part.literal("https://login.example.com/start?x=1"), Part.literal("&orig=")),
                        original.stream()).toList()),
                // Already carrying the redirect parameter: left as written.
                Arguments.of("https://login.example.com/start?rd=https://app.example.com/", null,
                        List.of(Part.literal("https://login.example.com/start?rd=https://app.example.com/"))));
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("signins")
    void signinGetsTheOriginalUrlInItsRedirectParameter(String signin, String param, List<Part> parts) {
        Parsed<ExternalAuthPolicy> parsed = param == null
                ? parse(NGINX_PREFIX + "auth-url", URL, NGINX_PREFIX + "auth-signin", signin)
                : parse(NGINX_PREFIX + "auth-url", URL, NGINX_PREFIX + "auth-signin", signin,
                        NGINX_PREFIX + "auth-signin-redirect-param", param);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().signin().parts()).isEqualTo(parts);
    }

    @Test
    void everySettingReadWithOursWinning() {
        Parsed<ExternalAuthPolicy> parsed = parse(
                NGINX_PREFIX + "auth-url", "http://ignored.example.com/",
                OUR_PREFIX + "auth-url", URL,
                NGINX_PREFIX + "auth-method", "POST",
                NGINX_PREFIX + "auth-response-headers", "X-Auth-Request-User, X-Auth-Request-Email,,",
                NGINX_PREFIX + "auth-request-redirect", "https://app.example.com/after",
                OUR_PREFIX + "auth-always-set-cookie", "true",
                NGINX_PREFIX + "auth-cache-key", "$remote_user$http_authorization",
                NGINX_PREFIX + "auth-cache-duration", "200 202 10m, 401 30s, any 1s");
        assertThat(parsed.diagnostics()).isEmpty();
        ExternalAuthPolicy policy = parsed.policy();
        assertThat(policy.url().parts()).containsExactly(Part.literal(URL));
        assertThat(policy.method()).isEqualTo("POST");
        assertThat(policy.responseHeaders()).containsExactly("X-Auth-Request-User", "X-Auth-Request-Email");
        assertThat(policy.requestRedirect()).isEqualTo("https://app.example.com/after");
        assertThat(policy.alwaysSetCookie()).isTrue();
        assertThat(policy.cacheKey().parts()).containsExactly(Part.variable("remote_user"),
                Part.variable("http_authorization"));
        assertThat(policy.cacheRules()).containsExactly(
                new CacheRule(List.of(200, 202), false, Duration.ofMinutes(10)),
                new CacheRule(List.of(401), false, Duration.ofSeconds(30)),
                new CacheRule(List.of(), true, Duration.ofSeconds(1)));
        assertThat(policy.cacheDuration(202)).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.cacheDuration(500)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aCacheKeyWithoutDurationTakesIngressNginxDefault() {
        ExternalAuthPolicy policy = parse(NGINX_PREFIX + "auth-url", URL, NGINX_PREFIX + "auth-cache-key",
                "$http_authorization").policy();
        assertThat(policy.cacheRules()).containsExactly(new CacheRule(List.of(200, 202, 401), false,
                Duration.ofMinutes(5)));
        assertThat(policy.cacheDuration(403)).isZero();
    }

    @Test
    void aDurationWithoutCodesCoversNginxDefaultCodes() {
        ExternalAuthPolicy policy = parse(NGINX_PREFIX + "auth-url", URL, NGINX_PREFIX + "auth-cache-key", "k",
                NGINX_PREFIX + "auth-cache-duration", "1h").policy();
        assertThat(policy.cacheRules()).containsExactly(new CacheRule(List.of(200, 301, 302), false,
                Duration.ofHours(1)));
    }

    @Test
    void companionsWithoutAuthUrlAreIgnoredWithAWarning() {
        Parsed<ExternalAuthPolicy> parsed = parse(NGINX_PREFIX + "auth-signin", "https://login.example.com/");
        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.message()).contains("no effect without").contains("auth-url"));
    }

    static Stream<Arguments> proxySetHeaderReferences() {
        return Stream.of(
                Arguments.of(NGINX_PREFIX, "auth-headers", "auth-headers"),
                Arguments.of(NGINX_PREFIX, " shop/auth-headers ", "shop/auth-headers"),
                Arguments.of(OUR_PREFIX, "other/auth-headers", "other/auth-headers"));
    }

    @ParameterizedTest
    @MethodSource("proxySetHeaderReferences")
    void authProxySetHeadersNamesAConfigMapTheTranslatorReadsLater(String prefix, String value, String configMap) {
        Parsed<ExternalAuthPolicy> parsed = parse(NGINX_PREFIX + "auth-url", URL, prefix + "auth-proxy-set-headers",
                value);
        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().refusal()).isNull();
        // The reference as written (a cross-namespace one is the translator's to refuse); no headers yet.
        assertThat(parsed.policy().proxySetHeaders()).isEqualTo(new ProxySetHeaders(configMap, Map.of()));
        assertThat(parsed.policy().authRequestHeaders()).isEmpty();
    }

    @Test
    void withoutAuthProxySetHeadersTheAuthRequestGetsNoExtraHeaders() {
        ExternalAuthPolicy policy = parse(NGINX_PREFIX + "auth-url", URL).policy();
        assertThat(policy.proxySetHeaders()).isNull();
        assertThat(policy.authRequestHeaders()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b/c", "headers;rm", "my headers", "$host", "/"})
    void anAuthProxySetHeadersThatNamesNoConfigMapDenies(String value) {
        Parsed<ExternalAuthPolicy> parsed = parse(NGINX_PREFIX + "auth-url", URL,
                NGINX_PREFIX + "auth-proxy-set-headers", value);
        assertThat(parsed.policy().refusal()).isNotNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).contains("auth-proxy-set-headers");
            assertThat(diagnostic.message()).contains(value).contains("503");
        });
    }

    @Test
    void theRegistryServesTheFamilyAndStillRefusesAuthSnippet() {
        AnnotationFamilies families = AnnotationFamilies.standard();
        assertThat(families.status(NGINX_PREFIX + "auth-url").support()).isEqualTo(AnnotationSupport.SERVED);
        assertThat(families.status(OUR_PREFIX + "auth-cache-duration").support())
                .isEqualTo(AnnotationSupport.SERVED);
        assertThat(families.status(NGINX_PREFIX + "auth-snippet").support())
                .isEqualTo(AnnotationSupport.REFUSED_FOR_SECURITY);
        assertThat(families.status(NGINX_PREFIX + "auth-keepalive").support()).isEqualTo(AnnotationSupport.NO_EFFECT);
        assertThat(families.status(NGINX_PREFIX + "auth-proxy-set-headers").support())
                .isEqualTo(AnnotationSupport.SERVED);
        assertThat(families.status(OUR_PREFIX + "auth-proxy-set-headers").support())
                .isEqualTo(AnnotationSupport.SERVED);
    }
}
