package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RewritePolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.model.policy.UpstreamPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry of annotation families: what each family is handed, and how one family's trouble stays its own. */
class AnnotationFamiliesTest {

    /** A family that records what it is handed. */
    record Recording(Set<String> annotations, List<Map<String, String>> handed) implements AnnotationFamily<Marker> {

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Parsed<Marker> parse(Map<String, String> annotations) {
            handed.add(Map.copyOf(annotations));
            return new Parsed<>(new Marker(annotations.size()), List.of());
        }
    }

    record Marker(int count) implements RoutePolicy {
    }

    /** A family that fails on whatever it is handed. */
    record Failing() implements AnnotationFamily<Marker> {

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public Set<String> annotations() {
            return Set.of("example.com/fails");
        }

        @Override
        public Parsed<Marker> parse(Map<String, String> annotations) {
            throw new IllegalStateException("unforeseen");
        }
    }

    @Test
    void aFamilyIsHandedOnlyTheAnnotationsItDeclaresAndOnlyWhenTheIngressHasOne() {
        Recording recording = new Recording(Set.of("example.com/a", "example.com/b"), new ArrayList<>());
        AnnotationFamilies families = new AnnotationFamilies(List.of(recording));

        AnnotationFamilies.Read read = families.read(Map.of("example.com/a", "1", "example.com/c", "3",
                "kubernetes.io/ingress.class", "x"));
        families.read(Map.of("example.com/c", "3"));
        families.read(Map.of());
        families.read(null);
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            many.put("example.com/other-" + i, "x");
        }
        many.put("example.com/b", "2");
        families.read(many);

        assertThat(recording.handed()).containsExactly(Map.of("example.com/a", "1"), Map.of("example.com/b", "2"));
        assertThat(read.policies().get(Marker.class)).isEqualTo(new Marker(1));
    }

    @Test
    void aFamilyThatFailsIsReportedAndLeavesTheOthersApplied() {
        AnnotationFamilies families = new AnnotationFamilies(List.of(new Failing(), new UpstreamGuardAnnotations()));

        AnnotationFamilies.Read read = families.read(Map.of("example.com/fails", "x",
                UpstreamGuardAnnotations.RETRIES, "4"));

        assertThat(read.policies()).isEqualTo(RoutePolicies.of(new UpstreamPolicy(null, null, null, 4, null, null)));
        assertThat(read.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.message()).contains("failing").contains("unforeseen").contains("defaults apply");
        });
    }

    @Test
    void theStandardFamiliesReadTheirAnnotationsIntoOnePolicyEach() {
        AnnotationFamilies.Read read = AnnotationFamilies.standard().read(Map.of(
                UpstreamGuardAnnotations.READ_TIMEOUT, "2s",
                TlsRedirectAnnotations.OUR_PREFIX + TlsRedirectAnnotations.FORCE_SSL_REDIRECT, "true",
                "nginx.ingress.kubernetes.io/rewrite-target", "/",
                // Not under either of our prefixes: nobody's business here (unserved keys of ours are a warning each,
                // see NginxAnnotationCatalogTest).
                "example.com/read-by-no-family", "x"));

        assertThat(read.policies()).isEqualTo(RoutePolicies.of(
                new UpstreamPolicy(null, Duration.ofSeconds(2), null, null, null, null),
                new TlsRedirectPolicy(true, true),
                new RewritePolicy(false, "/", null, null)));
        assertThat(read.diagnostics()).isEmpty();
    }

    @Test
    void theControllerKnowsEveryAnnotationItUnderstands() {
        Set<String> understood = AnnotationFamilies.standard().understood();

        assertThat(understood).contains(AnnotationFamilies.LEGACY_CLASS)
                .containsAll(new UpstreamGuardAnnotations().annotations())
                .containsAll(new TlsRedirectAnnotations().annotations())
                .containsAll(new RewriteAnnotations().annotations())
                .containsAll(new ProxyBodyAnnotations().annotations())
                .containsAll(new RedirectAnnotations().annotations())
                .containsAll(new UpstreamVhostAnnotations().annotations())
                .containsAll(new ServerAliasAnnotations().annotations())
                .containsAll(new FromToWwwRedirectAnnotations().annotations())
                .containsAll(new ErrorPageAnnotations().annotations())
                .containsAll(new ServiceUpstreamAnnotations().annotations())
                .containsAll(new CanaryAnnotations().annotations())
                .containsAll(new BalanceAnnotations().annotations())
                .containsAll(new BasicAuthAnnotations().annotations())
                .containsAll(new CustomHeadersAnnotations().annotations())
                .doesNotContain("example.com/read-by-no-family");
        assertThat(understood).hasSize(1 + 16 + 4 + 8 + 6 + 8 + 2 + 2 + 2 + 2 + 12 + 4 + 2 + 14 + 28 + 12 + 14 + 4 + 6 + 8 + 20 + 8 + 2 + 16);
    }
}
