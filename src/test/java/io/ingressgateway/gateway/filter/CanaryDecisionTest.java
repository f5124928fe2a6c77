package io.ingressgateway.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.CanaryRules;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.HttpCookie;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/**
 * The per-request choice between main and canary, table-driven, with the random draw fixed: ingress-nginx's
 * precedence (header, then cookie, then weight) and the weight's bounds.
 */
class CanaryDecisionTest {

    static final CanaryRules ALL = new CanaryRules("X-Canary", null, null, "canary", 30, 100);

    static Stream<Arguments> cases() {
        CanaryRules value = new CanaryRules("X-Canary", "DoCanary", null, "canary", 0, 100);
        CanaryRules pattern = new CanaryRules("X-Canary", null, "^Do[A-Z][a-z]+y$", "canary", 0, 100);
        CanaryRules broken = new CanaryRules("X-Canary", null, "(a)\\1", "canary", 100, 100);
        CanaryRules total = new CanaryRules(null, null, null, null, 100, 200);
        return Stream.of(
                // rules, header, cookie, random draw, to canary?
                Arguments.of(ALL, "always", "never", 99, true),
                Arguments.of(ALL, "never", "always", 0, false),
                Arguments.of(ALL, "other", "always", 99, true),
                Arguments.of(ALL, "other", "never", 0, false),
                Arguments.of(ALL, null, "always", 99, true),
                Arguments.of(ALL, null, "other", 29, true),
                Arguments.of(ALL, null, null, 30, false),
                Arguments.of(ALL, null, null, 29, true),
                Arguments.of(value, "DoCanary", null, 0, true),
                Arguments.of(value, "always", null, 0, false),
                Arguments.of(value, "always", "always", 0, true),
                Arguments.of(value, "docanary", null, 0, false),
                Arguments.of(pattern, "DoCanary", null, 0, true),
                Arguments.of(pattern, "Docanary", null, 0, false),
                Arguments.of(pattern, "Docanary", "always", 0, true),
                Arguments.of(broken, "a", "always", 0, false),
                Arguments.of(broken, null, null, 0, true),
                Arguments.of(total, null, null, 99, true),
                Arguments.of(total, null, null, 100, false),
                Arguments.of(new CanaryRules(null, null, null, null, 0, 100), null, null, 0, false),
                Arguments.of(new CanaryRules(null, null, null, null, 500, 100), null, null, 99, true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decides(CanaryRules rules, String header, String cookie, int draw, boolean toCanary) {
        MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/");
        if (header != null) {
            request.header("X-Canary", header);
        }
        if (cookie != null) {
            request.cookie(new HttpCookie("canary", cookie));
        }

        CanaryDecision decision = new CanaryDecision(rules, bound -> {
            assertThat(draw).isLessThan(bound);
            return draw;
        });

        assertThat(decision.toCanary(request.build())).isEqualTo(toCanary);
    }
}
