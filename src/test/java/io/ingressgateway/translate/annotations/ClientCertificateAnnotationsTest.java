package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.ClientCertificatePolicy.Verify;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The auth-tls-* family, value by value, with ingress-nginx's defaults (verify on, depth 1). */
class ClientCertificateAnnotationsTest {

    private static final ClientCertificateAnnotations FAMILY = new ClientCertificateAnnotations();

    private static String nginx(String name) {
        return NGINX_PREFIX + name;
    }

    private static Parsed<ClientCertificatePolicy> parse(String... keysAndValues) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put(nginx("auth-tls-secret"), "apps/client-ca");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            annotations.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return FAMILY.parse(annotations);
    }

    @Test
    void theSecretAloneMeansIngressNginxsDefaults() {
        Parsed<ClientCertificatePolicy> parsed = parse();

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ClientCertificatePolicy("apps/client-ca", Verify.ON, 1, null, false,
                null, List.of(), null));
    }

    @Test
    void readsEveryAnnotation() {
        Parsed<ClientCertificatePolicy> parsed = parse(
                nginx("auth-tls-verify-client"), "optional_no_ca",
                nginx("auth-tls-verify-depth"), "3",
                nginx("auth-tls-error-page"), "https://errors.example.com/client-cert.html",
                nginx("auth-tls-pass-certificate-to-upstream"), "true",
                nginx("auth-tls-match-cn"), "CN=(alice|bob)");

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new ClientCertificatePolicy("apps/client-ca", Verify.OPTIONAL_NO_CA, 3,
                "https://errors.example.com/client-cert.html", true, "CN=(alice|bob)", List.of(), null));
    }

    @ParameterizedTest
    @CsvSource({"on, ON", "off, OFF", "optional, OPTIONAL", "optional_no_ca, OPTIONAL_NO_CA",
        // Unreadable: ingress-nginx's default, the strictest.
        "yes, ON", "ON, ON", "'', ON"})
    void verifyClientTakesNginxsFourModes(String value, Verify expected) {
        assertThat(parse(nginx("auth-tls-verify-client"), value).policy().verify()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "2, 2", "100, 100", "0, 1", "-1, 1", "deep, 1", "101, 1"})
    void verifyDepthIsAPositiveNumberElseOne(String value, int expected) {
        assertThat(parse(nginx("auth-tls-verify-depth"), value).policy().verifyDepth()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"client-ca", "apps/client-ca", "apps/client.ca"})
    void theSecretIsANameOrNamespaceAndName(String value) {
        ClientCertificatePolicy policy = FAMILY.parse(Map.of(nginx("auth-tls-secret"), value)).policy();

        assertThat(policy.secret()).isEqualTo(value);
        assertThat(policy.problem()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "auth-tls-secret | apps/Client_CA",
        "auth-tls-secret | a/b/c",
        "auth-tls-error-page | @named-location",
        "auth-tls-error-page | https://errors.example.com/a page",
        "auth-tls-error-page | javascript:alert(1)",
        "auth-tls-match-cn | alice",
        "auth-tls-match-cn | CN=(alice",
        "auth-tls-match-cn | CN=(?=alice)"})
    void anUnreadableValueThatWouldOpenTheHostRefusesItInstead(String name, String value) {
        Parsed<ClientCertificatePolicy> parsed = parse(OUR_PREFIX + name, value);

        assertThat(parsed.policy().problem()).contains(OUR_PREFIX + name);
        assertThat(parsed.policy().requestsCertificate()).isFalse();
        assertThat(parsed.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.field()).contains(OUR_PREFIX + name);
            assertThat(d.message()).contains("refused (403)");
        });
    }

    @Test
    void ourSpellingWins() {
        Parsed<ClientCertificatePolicy> parsed = FAMILY.parse(Map.of(
                nginx("auth-tls-secret"), "apps/nginx-ca", OUR_PREFIX + "auth-tls-secret", "apps/our-ca",
                nginx("auth-tls-verify-client"), "optional", OUR_PREFIX + "auth-tls-verify-client", "on"));

        assertThat(parsed.policy().secret()).isEqualTo("apps/our-ca");
        assertThat(parsed.policy().verify()).isEqualTo(Verify.ON);
    }

    @Test
    void withoutASecretNothingAppliesAndTheOthersAreReported() {
        Parsed<ClientCertificatePolicy> parsed = FAMILY.parse(Map.of(nginx("auth-tls-verify-client"), "on"));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("no effect without auth-tls-secret"));
    }

    @Test
    void offAsksForNoCertificate() {
        assertThat(parse(nginx("auth-tls-verify-client"), "off").policy().requestsCertificate()).isFalse();
        assertThat(parse(nginx("auth-tls-verify-client"), "optional").policy().requestsCertificate()).isTrue();
    }
}
