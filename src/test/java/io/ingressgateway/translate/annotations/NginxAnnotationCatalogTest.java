package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.translate.annotations.AnnotationFamiliesTest.Marker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every annotation under ingress-nginx's prefix or ours is accounted for: served when a family declares it, else a
 * warning on its Ingress saying what it is (no effect, refused, unsupported, unknown) and what the gateway does.
 */
class NginxAnnotationCatalogTest {

    private static final String NGINX = AnnotationReader.NGINX_PREFIX;
    private static final String OURS = AnnotationReader.OUR_PREFIX;

    /** No family at all: what each key is before anyone serves it. */
    private static final AnnotationFamilies NONE = new AnnotationFamilies(List.of());

    /** A family that reads {@code rewrite-target} under both spellings, as a later one would. */
    record FakeRewrite(List<Map<String, String>> handed) implements AnnotationFamily<Marker> {

        @Override
        public String name() {
            return "fake rewrite";
        }

        @Override
        public Set<String> annotations() {
            return AnnotationReader.bothSpellings("rewrite-target");
        }

        @Override
        public Parsed<Marker> parse(Map<String, String> annotations) {
            handed.add(annotations);
            return new Parsed<>(new Marker(annotations.size()), List.of());
        }
    }

    /** A family that would read a snippet: there must be none. */
    record SnippetReader(String key) implements AnnotationFamily<Marker> {

        @Override
        public String name() {
            return "snippet reader";
        }

        @Override
        public Set<String> annotations() {
            return Set.of(key);
        }

        @Override
        public Parsed<Marker> parse(Map<String, String> annotations) {
            throw new AssertionError("a snippet was handed to a family");
        }
    }

    static Stream<Arguments> keys() {
        return Stream.of(
                // The five snippets ingress-nginx documents, any other key spelled like one, and our spelling.
                Arguments.of(NGINX + "configuration-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(NGINX + "server-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(NGINX + "auth-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(NGINX + "modsecurity-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(NGINX + "stream-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(NGINX + "location-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                Arguments.of(OURS + "server-snippet", AnnotationSupport.REFUSED_FOR_SECURITY, "never evaluated"),
                // Documented, nothing observable to do.
                Arguments.of(NGINX + "proxy-buffer-size", AnnotationSupport.NO_EFFECT, "response buffers"),
                Arguments.of(NGINX + "enable-rewrite-log", AnnotationSupport.NO_EFFECT, "rewrite log"),
                Arguments.of(NGINX + "client-body-buffer-size", AnnotationSupport.NO_EFFECT, "never spills"),
                // Documented, not done: what happens instead.
                Arguments.of(NGINX + "rewrite-target", AnnotationSupport.UNSUPPORTED,
                        "the upstream receives the request path unchanged"),
                Arguments.of(NGINX + "whitelist-source-range", AnnotationSupport.UNSUPPORTED,
                        "every client address"),
                Arguments.of(NGINX + "auth-url", AnnotationSupport.UNSUPPORTED, "without this authentication"),
                Arguments.of(NGINX + "limit-rps", AnnotationSupport.UNSUPPORTED, "no rate limit"),
                Arguments.of(NGINX + "enable-modsecurity", AnnotationSupport.UNSUPPORTED, "firewall"),
                // Read by ingress-nginx's parsers although its reference does not list it.
                Arguments.of(NGINX + "allowlist-source-range", AnnotationSupport.UNSUPPORTED,
                        "reads it, though its reference does not list it"),
                // Invented keys and removed ones: ingress-nginx ignores them too.
                Arguments.of(NGINX + "rate-limit", AnnotationSupport.UNKNOWN, "which ignores it too"),
                Arguments.of(NGINX + "client-max-body-size", AnnotationSupport.UNKNOWN, "which ignores it too"),
                Arguments.of(NGINX + "secure-backends", AnnotationSupport.UNKNOWN, "backend-protocol: HTTPS"),
                Arguments.of(NGINX + "add-base-url", AnnotationSupport.UNKNOWN, "removed in ingress-nginx 0.22"),
                // Ours that nobody reads.
                Arguments.of(OURS + "bogus", AnnotationSupport.UNKNOWN, "no annotation of the gateway"),
                Arguments.of(OURS + "rewrite-target", AnnotationSupport.UNKNOWN,
                        NGINX + "rewrite-target is unsupported here"));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @MethodSource("keys")
    void everyUnservedKeyIsClassifiedAndExplained(String key, AnnotationSupport support, String explained) {
        AnnotationStatus status = NONE.status(key);

        assertThat(status.support()).isEqualTo(support);
        assertThat(status.explanation()).contains(explained);
    }

    @ParameterizedTest(name = "{0} is one warning naming it")
    @MethodSource("keys")
    void everyUnservedKeyIsOneWarningOnItsIngress(String key, AnnotationSupport support, String explained) {
        AnnotationFamilies.Read read = NONE.read(Map.of(key, "x", "example.com/other", "y"));

        assertThat(read.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + key + "']");
            assertThat(diagnostic.message()).startsWith(key + " (" + support.label() + "): ").contains(explained);
        });
    }

    @Test
    void keysOutsideOurPrefixesAreNotOursToJudge() {
        assertThat(NONE.status("kubernetes.io/ingress.class")).isNull();
        assertThat(NONE.status("cert-manager.io/cluster-issuer")).isNull();
        assertThat(NONE.read(Map.of("cert-manager.io/cluster-issuer", "x", "kubernetes.io/ingress.class", "y")))
                .isEqualTo(AnnotationFamilies.Read.NOTHING);
    }

    @Test
    void aKeyIsServedAsSoonAsAFamilyDeclaresItWithoutTheCatalogueChanging() {
        Map<String, String> annotations = Map.of(NGINX + "rewrite-target", "/", OURS + "rewrite-target", "/x");
        FakeRewrite family = new FakeRewrite(new ArrayList<>());
        AnnotationFamilies withFamily = new AnnotationFamilies(List.of(family));

        assertThat(NONE.status(NGINX + "rewrite-target").support()).isEqualTo(AnnotationSupport.UNSUPPORTED);
        assertThat(NONE.read(annotations).diagnostics()).hasSize(2);
        assertThat(withFamily.status(NGINX + "rewrite-target").support()).isEqualTo(AnnotationSupport.SERVED);
        assertThat(withFamily.status(OURS + "rewrite-target").support()).isEqualTo(AnnotationSupport.SERVED);
        AnnotationFamilies.Read read = withFamily.read(annotations);
        assertThat(read.diagnostics()).isEmpty();
        assertThat(read.policies().get(Marker.class)).isEqualTo(new Marker(2));
        assertThat(family.handed()).containsExactly(annotations);
    }

    @ParameterizedTest
    @MethodSource("snippets")
    void noFamilyMayReadASnippet(String key) {
        assertThatThrownBy(() -> new AnnotationFamilies(List.of(new SnippetReader(key))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key).hasMessageContaining("never evaluated");
    }

    @ParameterizedTest
    @MethodSource("locationAndServerSnippets")
    void aRefusedSnippetsWarningNamesWhatReplacesItsCommonUses(String key) {
        List<Diagnostic> diagnostics = AnnotationFamilies.standard()
                .read(Map.of(key, "more_set_headers 'X-Frame-Options: DENY';")).diagnostics();

        assertThat(diagnostics).singleElement().extracting(Diagnostic::message).asString()
                .contains("never evaluated")
                .contains("more_set_headers / add_header -> ingress-gateway.io/response-headers")
                .contains("ingress-gateway.io/security-headers")
                .contains("proxy_set_header / more_set_input_headers -> ingress-gateway.io/request-headers")
                .contains("auth_request_set -> auth-response-headers")
                .contains("enable-cors");
    }

    static Stream<String> locationAndServerSnippets() {
        return Stream.of(NGINX + "configuration-snippet", NGINX + "server-snippet", OURS + "configuration-snippet");
    }

    static Stream<String> snippets() {
        return Stream.of(NGINX + "configuration-snippet", NGINX + "server-snippet", NGINX + "auth-snippet",
                NGINX + "modsecurity-snippet", NGINX + "stream-snippet", OURS + "configuration-snippet");
    }

    @Test
    void anIngressGetsOneWarningPerUnservedKeyInKeyOrderAfterItsFamiliesOwn() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(NGINX + "rate-limit", "10");
        annotations.put(NGINX + "configuration-snippet", "more_set_headers \"X: y\";");
        annotations.put(UpstreamGuardAnnotations.RETRIES, "many");
        annotations.put(UpstreamGuardAnnotations.READ_TIMEOUT, "2s");
        annotations.put(NGINX + "proxy-buffering", "off");
        annotations.put("example.com/unrelated", "x");
        AnnotationFamilies families = new AnnotationFamilies(List.of(new UpstreamGuardAnnotations()));

        List<Diagnostic> diagnostics = families.read(annotations).diagnostics();

        assertThat(diagnostics).extracting(Diagnostic::field).containsExactly(
                "metadata.annotations['" + UpstreamGuardAnnotations.RETRIES + "']",
                "metadata.annotations['" + NGINX + "configuration-snippet']",
                "metadata.annotations['" + NGINX + "proxy-buffering']",
                "metadata.annotations['" + NGINX + "rate-limit']");
        assertThat(diagnostics.get(1).message()).contains("refused for security");
        assertThat(diagnostics.get(2).message()).contains("no effect");
        assertThat(diagnostics.get(3).message()).contains("unknown");
    }

    @Test
    void theCatalogueHoldsEveryKeyOfIngressNginxsReference() throws IOException {
        Set<String> reference = referenceKeys();
        Set<String> documented = new TreeSet<>();
        NginxAnnotationCatalog.documented().forEach(entry -> documented.add(entry.name()));

        assertThat(documented).isEqualTo(reference);
        assertThat(reference).hasSize(130);
        // The few keys ingress-nginx's parsers read beyond its reference are catalogued too, marked as such.
        assertThat(NginxAnnotationCatalog.entries()).filteredOn(entry -> !entry.documented())
                .extracting(NginxAnnotationCatalog.Entry::name)
                .containsExactlyInAnyOrder("allowlist-source-range", "disable-proxy-intercept-errors",
                        "fastcgi-index", "fastcgi-params-configmap", "limit-allowlist", "opentelemetry-operation-name",
                        "relative-redirects", "use-port-in-redirects");
        // A retired key is not also a current one.
        assertThat(NginxAnnotationCatalog.RETIRED.keySet()).allSatisfy(name ->
                assertThat(NginxAnnotationCatalog.entry(name)).isNull());
    }

    @Test
    void everyUnservedClassHasAReasonAndOnlySnippetsAreRefused() {
        assertThat(NginxAnnotationCatalog.entries()).allSatisfy(entry -> {
            assertThat(entry.note()).isNotBlank();
            assertThat(entry.unserved()).isNotIn(AnnotationSupport.SERVED, AnnotationSupport.UNKNOWN);
            assertThat(entry.unserved() == AnnotationSupport.REFUSED_FOR_SECURITY)
                    .as(entry.name()).isEqualTo(NginxAnnotationCatalog.isSnippet(entry.name()));
        });
    }

    @Test
    void theStandardFamiliesServeOnlyKeysIngressNginxKnowsOrOurOwn() {
        AnnotationFamilies standard = AnnotationFamilies.standard();

        assertThat(standard.served()).allSatisfy(key -> {
            assertThat(AnnotationStatus.isOurs(key)).as(key).isTrue();
            if (key.startsWith(NGINX)) {
                // A key of the current release, or one it retired that the gateway serves again (global-rate-limit).
                String name = AnnotationStatus.shortName(key);
                assertThat(NginxAnnotationCatalog.entry(name) != null || NginxAnnotationCatalog.RETIRED.containsKey(name))
                        .as(key).isTrue();
            }
            assertThat(standard.status(key).support()).isEqualTo(AnnotationSupport.SERVED);
        });
        assertThat(standard.status(NGINX + "ssl-redirect").support()).isEqualTo(AnnotationSupport.SERVED);
    }

    private static Set<String> referenceKeys() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (InputStream in = NginxAnnotationCatalogTest.class.getResourceAsStream(
                "ingress-nginx-reference-keys.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    keys.add(line.trim());
                }
            }
        }
        return keys;
    }
}
