package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.READ_TIMEOUT;
import static io.ingressgateway.translate.annotations.UpstreamGuardAnnotations.RETRIES;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.translate.annotations.TlsRedirectAnnotations;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The translator reads every Ingress's annotations through the families and hands the policies to its routes. */
class AnnotationPoliciesTest {

    @Test
    void translatorAppliesAnIngresssPolicyToEveryOneOfItsRoutesOnly() {
        Ingress annotated = ingress("shop", "annotated", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations(READ_TIMEOUT, "2s").addToAnnotations(RETRIES, "many").endMetadata()
                .editSpec().withRules(rule("a.example", prefix("/", "web"), prefix("/api", "api")),
                        rule("b.example", prefix("/", "web"))).endSpec().build();
        Ingress plain = ingress("shop", "plain", "2024-01-01T00:00:00Z",
                rule("c.example", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(annotated, plain)));

        UpstreamPolicy expected = new UpstreamPolicy(null, Duration.ofSeconds(2), null, null, null, null);
        for (String host : List.of("a.example", "b.example")) {
            assertThat(vhost(model, host).routes()).isNotEmpty().extracting(Route::policies)
                    .containsOnly(RoutePolicies.of(expected));
        }
        assertThat(vhost(model, "c.example").routes()).extracting(Route::policies).containsOnly(RoutePolicies.NONE);
        IngressReport report = report(model, "shop", "annotated");
        assertThat(report.diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.field()).isEqualTo("metadata.annotations['" + RETRIES + "']");
            assertThat(diagnostic.message()).contains("'many'");
        });
        assertThat(report.routeIds()).hasSize(3);
        assertThat(report(model, "shop", "plain").diagnostics()).isEmpty();
    }

    @Test
    void everyFamilysPolicyGoesToTheRoutesOfItsIngressTogether() {
        Ingress annotated = ingress("shop", "annotated", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations(READ_TIMEOUT, "2s")
                .addToAnnotations(TlsRedirectAnnotations.NGINX_PREFIX + TlsRedirectAnnotations.SSL_REDIRECT, "false")
                .endMetadata()
                .editSpec().withRules(rule("a.example", prefix("/", "web"))).endSpec().build();

        RouteModel model = translate(withServices(List.of(annotated)));

        assertThat(vhost(model, "a.example").routes()).singleElement().extracting(Route::policies)
                .isEqualTo(RoutePolicies.of(new UpstreamPolicy(null, Duration.ofSeconds(2), null, null, null, null),
                        new TlsRedirectPolicy(false, false)));
        assertThat(report(model, "shop", "annotated").diagnostics()).isEmpty();
    }

    @Test
    void theSamePoliciesReadAgainAreEqualSoTheRoutesStayTheSame() {
        Ingress annotated = ingress("shop", "annotated", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations(READ_TIMEOUT, "2s").endMetadata()
                .editSpec().withRules(rule("a.example", prefix("/", "web"))).endSpec().build();
        Ingress again = ingress("shop", "annotated", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations(READ_TIMEOUT, "2s").endMetadata()
                .editSpec().withRules(rule("a.example", prefix("/", "web"))).endSpec().build();

        assertThat(vhost(translate(withServices(List.of(annotated))), "a.example"))
                .isEqualTo(vhost(translate(withServices(List.of(again))), "a.example"));
    }
}
