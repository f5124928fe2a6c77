package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.ErrorPagePolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** default-backend and custom-http-errors: a Service name and a list of 4xx/5xx statuses, or warnings. */
class ErrorPageAnnotationsTest {

    private static final ErrorPageAnnotations FAMILY = new ErrorPageAnnotations();
    private static final String ERRORS = NGINX_PREFIX + "custom-http-errors";
    private static final String BACKEND = NGINX_PREFIX + "default-backend";

    static Stream<Arguments> statusLists() {
        return Stream.of(
                Arguments.of("404", Set.of(404)),
                Arguments.of("404,415", Set.of(404, 415)),
                Arguments.of("404, 503", Set.of(404, 503)), // ingress-nginx's e2e test writes it with a blank
                Arguments.of(" 500 ,502,503,504 ", Set.of(500, 502, 503, 504)),
                Arguments.of("400,599", Set.of(400, 599)),
                Arguments.of("503,503,404", Set.of(404, 503)),
                Arguments.of("404,", Set.of(404)),
                Arguments.of(",404,,410", Set.of(404, 410)));
    }

    @ParameterizedTest
    @MethodSource("statusLists")
    void readsAListOfStatuses(String value, Set<Integer> codes) {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(ERRORS, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ErrorPagePolicy(null, null, codes));
        codes.forEach(code -> assertThat(parsed.policy().intercepts(code)).isTrue());
        assertThat(parsed.policy().intercepts(200)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"399", "600", "200", "302", "404;503", "40x", "4040", "404 503", "abc", "-404", "+404",
        "$status", "404,200"})
    void oneEntryThatIsNotAnErrorStatusRefusesTheValueWithAWarning(String value) {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(ERRORS, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + ERRORS + "']");
            assertThat(diagnostic.message()).contains(value).contains("ignored");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ","})
    void anEmptyListInterceptsNothingAndIsNoPolicy(String value) {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(ERRORS, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"errors", "error-pages", "a", "svc1", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefg"})
    void readsAServiceName(String value) {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(BACKEND, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ErrorPagePolicy(BACKEND, value, Set.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Errors", "1errors", "errors-", "other/errors", "errors:80", "errors.ns",
        "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi", "err ors"})
    void refusesAnythingButAServiceNameWithAWarning(String value) {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(BACKEND, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + BACKEND + "']"));
    }

    @Test
    void bothTogether() {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(BACKEND, "errors", ERRORS, "404,503"));

        assertThat(parsed.policy()).isEqualTo(new ErrorPagePolicy(BACKEND, "errors", Set.of(404, 503)));
    }

    @Test
    void oursWinsForEach() {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(BACKEND, "theirs", ERRORS, "404",
                OUR_PREFIX + "default-backend", "ours", OUR_PREFIX + "custom-http-errors", "500"));

        assertThat(parsed.policy()).isEqualTo(new ErrorPagePolicy(OUR_PREFIX + "default-backend", "ours",
                Set.of(500)));
        assertThat(parsed.diagnostics()).isEmpty();
    }

    @Test
    void anInvalidOneOfOursLeavesIngressNginxsInEffect() {
        Parsed<ErrorPagePolicy> parsed = FAMILY.parse(Map.of(ERRORS, "404",
                OUR_PREFIX + "custom-http-errors", "404,700"));

        assertThat(parsed.policy().interceptedCodes()).containsExactly(404);
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.message()).contains("404,700").contains(ERRORS + " applies"));
    }
}
