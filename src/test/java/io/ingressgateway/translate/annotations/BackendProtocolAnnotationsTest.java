package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.BackendProtocolPolicy.Protocol;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** backend-protocol: ingress-nginx's protocols in any case; AUTO_HTTP, FCGI and anything else keep HTTP, warned. */
class BackendProtocolAnnotationsTest {

    private static final BackendProtocolAnnotations FAMILY = new BackendProtocolAnnotations();
    private static final String NGINX = NGINX_PREFIX + "backend-protocol";
    private static final String OURS = OUR_PREFIX + "backend-protocol";

    @ParameterizedTest
    @CsvSource({
        "HTTPS, HTTPS", "https, HTTPS", "GRPC, GRPC", "grpc, GRPC", "gRPC, GRPC", "GRPCS, GRPCS", "grpcs, GRPCS",
        "' HTTPS ', HTTPS"})
    void readsTheServedProtocolsInAnyCase(String value, Protocol expected) {
        Parsed<BackendProtocolPolicy> parsed = FAMILY.parse(Map.of(NGINX, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new BackendProtocolPolicy(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP", "http", "Http"})
    void httpIsTheDefaultAndNeedsNoPolicy(String value) {
        Parsed<BackendProtocolPolicy> parsed = FAMILY.parse(Map.of(NGINX, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "AUTO_HTTP, does not support", "auto_http, does not support", "FCGI, does not support",
        "fcgi, does not support", "HTTP2, is not one of", "H2C, is not one of", "'', is not one of",
        "'HTTPS GRPC', is not one of", "TCP, is not one of"})
    void refusedValuesAreAWarningNamingKeyAndValueAndHttpApplies(String value, String reason) {
        Parsed<BackendProtocolPolicy> parsed = FAMILY.parse(Map.of(NGINX, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + NGINX + "']");
            assertThat(diagnostic.message()).contains("'" + value + "'").contains(reason)
                    .contains("the default applies");
        });
    }

    @Test
    void oursWinsAndABrokenNginxSpellingBesideItIsStillReported() {
        Parsed<BackendProtocolPolicy> parsed = FAMILY.parse(Map.of(NGINX, "FCGI", OURS, "GRPCS"));

        assertThat(parsed.policy()).isEqualTo(new BackendProtocolPolicy(Protocol.GRPCS));
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(diagnostic -> assertThat(diagnostic.message()).contains(OURS + " applies"));
    }

    @Test
    void anUnreadableOursFallsBackToTheNginxSpelling() {
        Parsed<BackendProtocolPolicy> parsed = FAMILY.parse(Map.of(NGINX, "GRPC", OURS, "SOAP"));

        assertThat(parsed.policy()).isEqualTo(new BackendProtocolPolicy(Protocol.GRPC));
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(diagnostic -> assertThat(diagnostic.message()).contains(NGINX + " applies"));
    }

    @ParameterizedTest
    @CsvSource({"HTTP, false, false", "HTTPS, true, false", "GRPC, false, true", "GRPCS, true, true"})
    void eachProtocolSaysWhetherItIsTlsAndWhetherItStreamsBodies(Protocol protocol, boolean secure, boolean grpc) {
        BackendProtocolPolicy policy = new BackendProtocolPolicy(protocol);

        assertThat(BackendProtocolPolicy.scheme(policy)).isEqualTo(secure ? "https" : "http");
        assertThat(BackendProtocolPolicy.streamsRequestBodies(policy)).isEqualTo(grpc);
        assertThat(BackendProtocolPolicy.scheme(null)).isEqualTo("http");
        assertThat(BackendProtocolPolicy.streamsRequestBodies(null)).isFalse();
    }
}
