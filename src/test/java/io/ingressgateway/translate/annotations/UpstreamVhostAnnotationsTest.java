package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.UpstreamVhostPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamily.Parsed;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The upstream-vhost annotation: a host with an optional port, or a warning. */
class UpstreamVhostAnnotationsTest {

    private static final UpstreamVhostAnnotations FAMILY = new UpstreamVhostAnnotations();
    private static final String VHOST = NGINX_PREFIX + "upstream-vhost";

    @ParameterizedTest
    @ValueSource(strings = {"internal.example.com", "Internal.Example.COM", "backend", "backend:8080",
        "10.0.0.7", "10.0.0.7:80", "[::1]", "[fd00::7]:8443", "my_svc.ns.svc.cluster.local", "fqdn.example.com."})
    void acceptsAHostWithAnOptionalPort(String value) {
        Parsed<UpstreamVhostPolicy> parsed = FAMILY.parse(Map.of(VHOST, value));

        assertThat(parsed.diagnostics()).isEmpty();
        assertThat(parsed.policy()).isEqualTo(new UpstreamVhostPolicy(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "http://internal.example.com", "host/path", "a b", "host:0", "host:65536",
        "host:", "host:http", "-leading.example.com", "a..b", "$host", "user@host", "[zz::1]", "host\r\nX: y"})
    void refusesAnythingElseWithAWarning(String value) {
        Parsed<UpstreamVhostPolicy> parsed = FAMILY.parse(Map.of(VHOST, value));

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + VHOST + "']");
            assertThat(diagnostic.message()).contains("ignored");
        });
    }

    @Test
    void oursWins() {
        Parsed<UpstreamVhostPolicy> parsed = FAMILY.parse(Map.of(VHOST, "theirs.example.com",
                OUR_PREFIX + "upstream-vhost", "ours.example.com"));

        assertThat(parsed.policy()).isEqualTo(new UpstreamVhostPolicy("ours.example.com"));
    }

    @Test
    void aLabelLongerThanDnsAllowsIsRefused() {
        assertThat(FAMILY.parse(Map.of(VHOST, "a".repeat(64) + ".example.com")).policy()).isNull();
    }
}
