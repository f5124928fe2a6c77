package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy-ssl-* family, value by value, with ingress-nginx's defaults (verify off, depth 1, no SNI). */
class ProxySslAnnotationsTest {

    private static final ProxySslAnnotations FAMILY = new ProxySslAnnotations();

    private static String nginx(String name) {
        return NGINX_PREFIX + name;
    }

    @Test
    void theDefaultsNeedNoPolicy() {
        Parsed<UpstreamTlsPolicy> parsed = FAMILY.parse(Map.of(nginx("proxy-ssl-verify"), "off",
                nginx("proxy-ssl-server-name"), "off", nginx("proxy-ssl-verify-depth"), "1"));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isNull();
    }

    @Test
    void readsEveryAnnotation() {
        Parsed<UpstreamTlsPolicy> parsed = FAMILY.parse(Map.of(
                nginx("proxy-ssl-secret"), "apps/upstream-ca",
                nginx("proxy-ssl-verify"), "on",
                nginx("proxy-ssl-verify-depth"), "3",
                nginx("proxy-ssl-name"), "Backend.Apps.svc",
                nginx("proxy-ssl-server-name"), "on",
                nginx("proxy-ssl-protocols"), "TLSv1.3 TLSv1.2"));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new UpstreamTlsPolicy("apps/upstream-ca", true, "backend.apps.svc",
                true, 3, List.of("TLSv1.2", "TLSv1.3"), List.of(), null, null));
    }

    @ParameterizedTest
    @CsvSource({"on, true", "ON, true", "off, false", "Off, false"})
    void verifyAndServerNameAreOnOrOff(String value, boolean expected) {
        UpstreamTlsPolicy policy = FAMILY.parse(Map.of(nginx("proxy-ssl-secret"), "apps/ca",
                nginx("proxy-ssl-verify"), value, nginx("proxy-ssl-server-name"), value)).policy();

        assertThat(policy.verify()).isEqualTo(expected);
        assertThat(policy.sendServerName()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"1, 1", "2, 2", "100, 100", "0, 1"})
    void verifyDepthIsAWholeNumberAndZeroMeansTheDefault(String value, int expected) {
        UpstreamTlsPolicy policy = FAMILY.parse(Map.of(nginx("proxy-ssl-secret"), "apps/ca",
                nginx("proxy-ssl-verify-depth"), value)).policy();

        assertThat(policy.verifyDepth()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "proxy-ssl-verify        | yes",
        "proxy-ssl-verify        | true",
        "proxy-ssl-server-name   | 1",
        "proxy-ssl-verify-depth  | -1",
        "proxy-ssl-verify-depth  | 101",
        "proxy-ssl-verify-depth  | two",
        "proxy-ssl-name          | https://backend",
        "proxy-ssl-name          | back end",
        "proxy-ssl-name          | backend:443",
        "proxy-ssl-name          | -backend",
        "proxy-ssl-protocols     | TLSv1.1",
        "proxy-ssl-protocols     | TLSv1.2 SSLv3",
        "proxy-ssl-protocols     | tlsv1.3"})
    void anUnreadableValueIsAWarningNamingKeyAndValueAndItsDefaultApplies(String name, String value) {
        Parsed<UpstreamTlsPolicy> parsed = FAMILY.parse(Map.of(nginx(name), value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + nginx(name) + "']");
            assertThat(diagnostic.message()).contains("'" + value + "'").contains("the default applies");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"upstream-ca", "apps/", "/upstream-ca", "apps/upstream-ca/x", "Apps/ca", "apps/ca_1"})
    void aSecretThatIsNotNamespaceSlashNameFailsClosed(String value) {
        Parsed<UpstreamTlsPolicy> parsed = FAMILY.parse(Map.of(nginx("proxy-ssl-secret"), value,
                nginx("proxy-ssl-verify"), "on"));

        assertThat(parsed.diagnostics()).singleElement()
                .satisfies(diagnostic -> assertThat(diagnostic.message()).contains("namespace/name"));
        assertThat(parsed.policy().problem()).isNotNull();
        assertThat(parsed.policy().refusesEveryCertificate()).isTrue();
    }

    @Test
    void verificationWithoutASecretIsWarnedAndRefusesEveryCertificate() {
        Parsed<UpstreamTlsPolicy> parsed = FAMILY.parse(Map.of(nginx("proxy-ssl-verify"), "on"));

        assertThat(parsed.policy().verify()).isTrue();
        assertThat(parsed.policy().refusesEveryCertificate()).isTrue();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + nginx("proxy-ssl-verify") + "']");
            assertThat(diagnostic.message()).contains("502");
        });
    }

    @Test
    void oursWinsPerAnnotation() {
        UpstreamTlsPolicy policy = FAMILY.parse(Map.of(
                nginx("proxy-ssl-secret"), "apps/theirs", OUR_PREFIX + "proxy-ssl-secret", "apps/ours",
                nginx("proxy-ssl-name"), "theirs.example", OUR_PREFIX + "proxy-ssl-verify", "on")).policy();

        assertThat(policy.secret()).isEqualTo("apps/ours");
        assertThat(policy.verifyName()).isEqualTo("theirs.example");
        assertThat(policy.verify()).isTrue();
    }
}
