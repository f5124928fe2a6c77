package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.ServiceUpstreamPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** service-upstream: a boolean; only true is a policy. */
class ServiceUpstreamAnnotationsTest {

    private static final ServiceUpstreamAnnotations FAMILY = new ServiceUpstreamAnnotations();
    private static final String NGINX = NGINX_PREFIX + "service-upstream";
    private static final String OURS = OUR_PREFIX + "service-upstream";

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "' true ', true", "false, false", "False, false"})
    void readsABoolean(String value, boolean enabled) {
        Parsed<ServiceUpstreamPolicy> parsed = FAMILY.parse(Map.of(NGINX, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(enabled ? new ServiceUpstreamPolicy(NGINX) : null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yes", "1", "on", "enabled"})
    void anythingElseIsAWarningAndEndpointsAreUsed(String value) {
        Parsed<ServiceUpstreamPolicy> parsed = FAMILY.parse(Map.of(NGINX, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic ->
                assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX + "']"));
    }

    @Test
    void oursWinsEitherWay() {
        assertThat(FAMILY.parse(Map.of(NGINX, "true", OURS, "false")).policy()).isNull();
        assertThat(FAMILY.parse(Map.of(NGINX, "false", OURS, "true")).policy())
                .isEqualTo(new ServiceUpstreamPolicy(OURS));
    }
}
