package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BasicAuthPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BasicAuthAnnotationsTest {

    private static final String NGINX = "nginx.ingress.kubernetes.io/";
    private static final String OURS = "ingress-gateway.io/";

    /** Annotations (short name=value, ours with a leading +), the policy's secret, format, realm and problem. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing", Map.of(), null, false, null, null, 0),
                Arguments.of("secret without type: nothing, as ingress-nginx, with a warning",
                        Map.of("auth-secret", "users"), null, false, null, null, 1),
                Arguments.of("basic with a bare name", Map.of("auth-type", "basic", "auth-secret", "users",
                        "auth-realm", "Staff only"), "users", false, "Staff only", null, 0),
                Arguments.of("basic with namespace/name and a map", Map.of("auth-type", "Basic",
                        "auth-secret", "shop/users", "auth-secret-type", "auth-map"), "shop/users", true, "", null, 0),
                Arguments.of("ours wins", Map.of("auth-type", "basic", "auth-secret", "nginx-users",
                        "+auth-secret", "our-users"), "our-users", false, "", null, 0),
                Arguments.of("basic without secret fails closed", Map.of("auth-type", "basic"), null, false, "",
                        "auth-type basic is set without auth-secret", 1),
                Arguments.of("unreadable secret fails closed", Map.of("auth-type", "basic",
                        "auth-secret", "Not A Name"), "Not A Name", false, "", "auth-secret cannot be read", 2),
                Arguments.of("digest is refused, closed", Map.of("auth-type", "digest", "auth-secret", "users"),
                        "users", false, "", "auth-type digest is not supported (only basic)", 1),
                Arguments.of("unknown type is refused, closed", Map.of("auth-type", "form",
                        "auth-secret", "users"), "users", false, "",
                        "auth-type 'form' is neither basic nor digest", 1),
                Arguments.of("unknown secret type is refused, closed", Map.of("auth-type", "basic",
                        "auth-secret", "users", "auth-secret-type", "auth-ldap"), "users", false, "",
                        "auth-secret-type cannot be read", 2),
                Arguments.of("an unprintable realm keeps the default", Map.of("auth-type", "basic",
                        "auth-secret", "users", "auth-realm", "bell\u0007ringing"), "users", false, "", null, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parse(String description, Map<String, String> shortNames, String secret, boolean map, String realm,
               String problem, int warnings) {
        Map<String, String> annotations = new LinkedHashMap<>();
        shortNames.forEach((name, value) -> annotations.put(name.startsWith("+") ? OURS + name.substring(1)
                : NGINX + name, value));

        AnnotationFamily.Parsed<BasicAuthPolicy> parsed = new BasicAuthAnnotations().parse(annotations);

        assertThat(parsed.diagnostics()).hasSize(warnings).allMatch(d -> d.severity() == Diagnostic.Severity.WARNING);
        if (realm == null) {
            assertThat(parsed.policy()).isNull();
            return;
        }
        BasicAuthPolicy policy = parsed.policy();
        assertThat(policy.problem()).isEqualTo(problem);
        if (problem == null) {
            assertThat(policy.secret()).isEqualTo(secret);
            assertThat(policy.mapFormat()).isEqualTo(map);
            assertThat(policy.realm()).isEqualTo(realm);
        } else {
            assertThat(parsed.diagnostics()).last().extracting(Diagnostic::message).asString()
                    .contains(problem).contains("refused (503)");
        }
    }
}
