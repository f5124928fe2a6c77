package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.ServerAliasPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The server-alias list: split, trimmed, lower-cased; hosts themselves are checked by the translator. */
class ServerAliasAnnotationsTest {

    private static final ServerAliasAnnotations FAMILY = new ServerAliasAnnotations();
    private static final String ALIAS = NGINX_PREFIX + "server-alias";

    static Stream<Arguments> lists() {
        return Stream.of(
                Arguments.of("one", "a.example.com", List.of("a.example.com")),
                Arguments.of("several with blanks", " a.example.com ,b.example.com,  c.example.com",
                        List.of("a.example.com", "b.example.com", "c.example.com")),
                Arguments.of("case and repeats", "A.Example.com, a.example.COM", List.of("a.example.com")),
                Arguments.of("empty items", ",a.example.com,,", List.of("a.example.com")),
                Arguments.of("wildcard", "*.example.com", List.of("*.example.com")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void lists(String name, String value, List<String> expected) {
        Parsed<ServerAliasPolicy> parsed = FAMILY.parse(Map.of(ALIAS, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ServerAliasPolicy(expected, ALIAS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " , ", "~^www\\d+\\.example\\.com$", "a.example.com, ~^b"})
    void refusesEmptyListsAndRegularExpressions(String value) {
        Parsed<ServerAliasPolicy> parsed = FAMILY.parse(Map.of(ALIAS, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.field()).isEqualTo("metadata.annotations['" + ALIAS + "']"));
    }

    @Test
    void refusesMoreAliasesThanTheLimit() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= ServerAliasAnnotations.MAX_ALIASES; i++) {
            many.append("h").append(i).append(".example.com,");
        }
        assertThat(FAMILY.parse(Map.of(ALIAS, many.toString())).policy()).isNull();
    }

    @Test
    void oursWinsAndNamesItsKey() {
        Parsed<ServerAliasPolicy> parsed = FAMILY.parse(Map.of(ALIAS, "theirs.example.com",
                OUR_PREFIX + "server-alias", "ours.example.com"));

        assertThat(parsed.policy()).isEqualTo(new ServerAliasPolicy(List.of("ours.example.com"),
                OUR_PREFIX + "server-alias"));
    }
}
