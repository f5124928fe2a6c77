package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.HostRedirectPolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code from-to-www-redirect}: the counterpart host of each rule host answers with a redirect to it. */
class FromToWwwTranslationTest {

    static final String ANNOTATION = "nginx.ingress.kubernetes.io/from-to-www-redirect";

    static Ingress withRedirect(String name, String created, String value, IngressRule... rules) {
        return ingress("shop", name, created).editMetadata().addToAnnotations(ANNOTATION, value).endMetadata()
                .editSpec().withRules(rules).endSpec().build();
    }

    @ParameterizedTest
    @CsvSource({"example.com, www.example.com", "www.example.com, example.com"})
    void theCounterpartHostRedirectsEveryPathToTheRuleHost(String ruleHost, String counterpart) {
        Ingress shop = withRedirect("shop", "2024-01-01T00:00:00Z", "true",
                rule(ruleHost, prefix("/api", "api"), prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(shop)));

        assertThat(vhost(model, counterpart).routes()).singleElement().satisfies(route -> {
            assertThat(route.path().path()).isEqualTo("/");
            assertThat(route.policies()).isEqualTo(RoutePolicies.of(new HostRedirectPolicy(ruleHost)));
        });
        assertThat(vhost(model, ruleHost).routes()).hasSize(2).extracting(Route::policies)
                .allSatisfy(p -> assertThat(p.get(HostRedirectPolicy.class)).isNull());
        assertThat(report(model, "shop", "shop").diagnostics()).isEmpty();
    }

    @Test
    void aRuleHostOfAnotherIngressTakesPrecedence() {
        Ingress shop = withRedirect("shop", "2024-01-01T00:00:00Z", "true", rule("example.com", prefix("/", "web")));
        Ingress www = ingress("shop", "www", "2025-01-01T00:00:00Z", rule("www.example.com", prefix("/www", "api")));

        RouteModel model = translate(withServices(List.of(shop, www)));

        assertThat(vhost(model, "www.example.com").routes()).singleElement()
                .satisfies(route -> assertThat(route.path().path()).isEqualTo("/www"));
        assertThat(report(model, "shop", "shop").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("www.example.com").contains("rule host"));
    }

    @Test
    void bothHostsInTheIngressOrAWildcardOrFalseAddNothing() {
        Ingress both = withRedirect("both", "2024-01-01T00:00:00Z", "true", rule("a.example", prefix("/", "web")),
                rule("www.a.example", prefix("/", "api")), rule("*.wild.example", prefix("/", "web")));
        Ingress off = withRedirect("off", "2024-01-01T00:00:00Z", "false", rule("b.example", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(both, off)));

        assertThat(model.virtualHosts()).extracting(v -> v.host().pattern())
                .containsExactlyInAnyOrder("a.example", "www.a.example", "*.wild.example", "b.example");
        assertThat(model.virtualHosts()).flatExtracting(v -> v.routes()).extracting(Route::policies)
                .allSatisfy(p -> assertThat(p.get(HostRedirectPolicy.class)).isNull());
    }

    @Test
    void anUnreadableValueIsAWarning() {
        Ingress shop = withRedirect("shop", "2024-01-01T00:00:00Z", "yes", rule("example.com", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(shop)));

        assertThat(model.virtualHosts()).hasSize(1);
        assertThat(report(model, "shop", "shop").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("'yes'"));
    }
}
