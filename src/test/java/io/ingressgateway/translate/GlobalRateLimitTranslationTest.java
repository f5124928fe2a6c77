package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.SETTINGS;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.translate;
import static io.ingressgateway.translate.Fixtures.vhost;
import static io.ingressgateway.translate.Fixtures.withServices;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A global rate limit needs the store its replicas share: without one configured, the Ingress is served (without the
 * limit) and told why; with one, its routes carry the policy and nothing is said.
 */
class GlobalRateLimitTranslationTest {

    static Ingress limited() {
        return ingress("shop", "limited", "2024-01-01T00:00:00Z").editMetadata()
                .addToAnnotations("nginx.ingress.kubernetes.io/global-rate-limit", "10")
                .addToAnnotations("nginx.ingress.kubernetes.io/global-rate-limit-window", "1m")
                .endMetadata()
                .editSpec().withRules(rule("shop.example.com", prefix("/", "web"))).endSpec().build();
    }

    @Test
    void withoutAStoreTheIngressIsServedAndWarned() {
        RouteModel model = translate(withServices(List.of(limited())), SETTINGS);

        assertThat(vhost(model, "shop.example.com").routes()).isNotEmpty();
        assertThat(report(model, "shop", "limited").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).contains("global-rate-limit");
            assertThat(diagnostic.message()).contains("not applied").contains("ingress-gateway.global-rate-limit.redis.url");
        });
    }

    @Test
    void withAStoreTheRoutesCarryTheLimitAndNothingIsSaid() {
        RouteModel model = translate(withServices(List.of(limited())), SETTINGS.withGlobalRateLimitStore(true));

        assertThat(report(model, "shop", "limited").diagnostics()).isEmpty();
        assertThat(vhost(model, "shop.example.com").routes()).allSatisfy(route -> {
            GlobalRateLimitPolicy policy = route.policies().get(GlobalRateLimitPolicy.class);
            assertThat(policy.limit()).isEqualTo(10);
            assertThat(policy.windowSeconds()).isEqualTo(60);
        });
    }
}
