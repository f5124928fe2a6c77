package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.HeaderPolicyAnnotations.CONTENT_SECURITY_POLICY;
import static io.ingressgateway.translate.annotations.HeaderPolicyAnnotations.REQUEST_HEADERS;
import static io.ingressgateway.translate.annotations.HeaderPolicyAnnotations.RESPONSE_HEADERS;
import static io.ingressgateway.translate.annotations.HeaderPolicyAnnotations.SECURITY_HEADERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.HeaderPolicy;
import io.ingressgateway.model.policy.HeaderPolicy.Action;
import io.ingressgateway.model.policy.HeaderPolicy.HeaderOperation;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The header policy annotations: one operation a line, names and values validated, never interpreted. */
class HeaderPolicyAnnotationsTest {

    private static final HeaderPolicyAnnotations FAMILY = new HeaderPolicyAnnotations();

    static Stream<Arguments> lines() {
        return Stream.of(
                Arguments.of("set X-Foo: bar", new HeaderOperation(Action.SET, "X-Foo", "bar")),
                Arguments.of("add X-Foo: bar baz", new HeaderOperation(Action.ADD, "X-Foo", "bar baz")),
                Arguments.of("remove X-Powered-By", new HeaderOperation(Action.REMOVE, "X-Powered-By", null)),
                Arguments.of("  SET   X-Foo:   a:b  ", new HeaderOperation(Action.SET, "X-Foo", "a:b")),
                // Never interpreted: an nginx variable is sent as written.
                Arguments.of("set X-Client: $remote_addr", new HeaderOperation(Action.SET, "X-Client",
                        "$remote_addr")),
                Arguments.of("add Set-Cookie: a=1; Path=/; HttpOnly", new HeaderOperation(Action.ADD, "Set-Cookie",
                        "a=1; Path=/; HttpOnly")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lines")
    void aLineIsOneOperation(String line, HeaderOperation operation) {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(REQUEST_HEADERS, line, RESPONSE_HEADERS, line));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new HeaderPolicy(List.of(operation), List.of(operation)));
    }

    /** A line refused, and a word its diagnostic names. */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("put X-Foo: bar", "does not start with"),
                Arguments.of("set X-Foo bar", "no ':'"),
                Arguments.of("set X Foo: bar", "not a token"),
                Arguments.of("set X-Foo : bar", "not a token"),
                Arguments.of("set : bar", "names no header"),
                Arguments.of("remove", "names no header"),
                Arguments.of("set X-Foo:", "empty header value"),
                Arguments.of("set X-Foo: caf\u00e9", "may not appear in a header value"),
                Arguments.of("set X-Foo: a\u0000b", "may not appear in a header value"),
                Arguments.of("set Host: other.test", "belongs to the connection"),
                Arguments.of("set content-length: 0", "belongs to the connection"),
                Arguments.of("remove Transfer-Encoding", "belongs to the connection"),
                Arguments.of("add Connection: close", "belongs to the connection"),
                Arguments.of("set Upgrade: h2c", "belongs to the connection"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aBadLineIsAWarningAndTheOtherLinesApply(String line, String reason) {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(RESPONSE_HEADERS, "set X-Before: 1\n" + line
                + "\nremove X-After"));

        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).contains(RESPONSE_HEADERS);
            assertThat(diagnostic.message()).contains("(line 2)").contains(reason).contains("the other lines apply");
        });
        assertThat(parsed.policy().response()).containsExactly(new HeaderOperation(Action.SET, "X-Before", "1"),
                new HeaderOperation(Action.REMOVE, "X-After", null));
    }

    @Test
    void linesApplyInOrderSkippingBlanksAndComments() {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(REQUEST_HEADERS, """
                # what the upstream needs
                set X-Env: prod

                add X-Env: canary\r
                remove X-Debug
                """));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().request()).containsExactly(new HeaderOperation(Action.SET, "X-Env", "prod"),
                new HeaderOperation(Action.ADD, "X-Env", "canary"), new HeaderOperation(Action.REMOVE, "X-Debug", null));
        assertThat(parsed.policy().response()).isEmpty();
    }

    static Stream<Arguments> presets() {
        return Stream.of(
                Arguments.of("standard", "SAMEORIGIN", "strict-origin-when-cross-origin"),
                Arguments.of(" Standard ", "SAMEORIGIN", "strict-origin-when-cross-origin"),
                Arguments.of("strict", "DENY", "no-referrer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void aSecurityPresetFillsInHeadersTheUpstreamLacks(String preset, String frameOptions, String referrer) {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(SECURITY_HEADERS, preset));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().response()).containsExactly(
                new HeaderOperation(Action.DEFAULT, "X-Frame-Options", frameOptions),
                new HeaderOperation(Action.DEFAULT, "X-Content-Type-Options", "nosniff"),
                new HeaderOperation(Action.DEFAULT, "Referrer-Policy", referrer));
    }

    @Test
    void presetThenPolicyThenTheIngresssOwnLines() {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(SECURITY_HEADERS, "standard",
                CONTENT_SECURITY_POLICY, "default-src 'self'; img-src *",
                RESPONSE_HEADERS, "set X-Frame-Options: DENY"));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy().response()).hasSize(5).last()
                .isEqualTo(new HeaderOperation(Action.SET, "X-Frame-Options", "DENY"));
        assertThat(parsed.policy().response().get(3)).isEqualTo(new HeaderOperation(Action.SET,
                "Content-Security-Policy", "default-src 'self'; img-src *"));
    }

    static Stream<Arguments> invalidSingleValues() {
        return Stream.of(
                Arguments.of(SECURITY_HEADERS, "paranoid", "no security headers are added"),
                Arguments.of(SECURITY_HEADERS, "", "no security headers are added"),
                Arguments.of(CONTENT_SECURITY_POLICY, "default-src 'self'\nX-Injected: 1",
                        "no Content-Security-Policy is added"),
                Arguments.of(CONTENT_SECURITY_POLICY, " ", "no Content-Security-Policy is added"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidSingleValues")
    void anInvalidPresetOrPolicyIsAWarningAndAddsNothing(String key, String value, String instead) {
        Parsed<HeaderPolicy> parsed = FAMILY.parse(Map.of(key, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.message()).contains(instead));
    }

    @Test
    void onlyOurSpellingIsDeclared() {
        assertThat(FAMILY.annotations()).allMatch(key -> key.startsWith(AnnotationReader.OUR_PREFIX)).hasSize(4);
    }
}
