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
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code server-alias}: the Ingress's rules served under extra host names, unless another Ingress has the name as a
 * rule host, which takes precedence as in ingress-nginx.
 */
class ServerAliasTranslationTest {

    static final String ALIAS = "nginx.ingress.kubernetes.io/server-alias";
    static final String FIELD = "metadata.annotations['" + ALIAS + "']";

    static Ingress aliased(String name, String created, String aliases, IngressRule... rules) {
        return ingress("shop", name, created).editMetadata().addToAnnotations(ALIAS, aliases).endMetadata()
                .editSpec().withRules(rules).endSpec().build();
    }

    @Test
    void eachAliasServesTheRoutesOfTheRuleHosts() {
        Ingress shop = aliased("shop", "2024-01-01T00:00:00Z", " Shop.Example.NET , *.shop.example.org,",
                rule("shop.example.com", prefix("/", "web"), prefix("/api", "api")));

        RouteModel model = translate(withServices(List.of(shop)));

        List<String> expected = paths(vhost(model, "shop.example.com"));
        assertThat(expected).containsExactly("/api -> shop/api:80", "/ -> shop/web:80");
        assertThat(paths(vhost(model, "shop.example.net"))).isEqualTo(expected);
        assertThat(paths(vhost(model, "*.shop.example.org"))).isEqualTo(expected);
        assertThat(report(model, "shop", "shop").diagnostics()).isEmpty();
        assertThat(report(model, "shop", "shop").routeIds()).hasSize(6);
    }

    @Test
    void anAliasThatIsAnotherIngresssHostIsRefusedWhicheverIsOlder() {
        Ingress withAlias = aliased("with-alias", "2024-01-01T00:00:00Z", "other.example.com, free.example.com",
                rule("shop.example.com", prefix("/", "web"), prefix("/only-here", "api")));
        Ingress owner = ingress("shop", "owner", "2025-01-01T00:00:00Z", rule("other.example.com",
                prefix("/", "api")));

        RouteModel model = translate(withServices(List.of(withAlias, owner)));

        // The rule host keeps its own routes only: the alias adds neither "/" nor "/only-here".
        assertThat(paths(vhost(model, "other.example.com"))).containsExactly("/ -> shop/api:80");
        assertThat(paths(vhost(model, "free.example.com"))).hasSize(2);
        assertThat(report(model, "shop", "with-alias").diagnostics()).singleElement().satisfies(diagnostic -> {
            assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
            assertThat(diagnostic.field()).isEqualTo(FIELD);
            assertThat(diagnostic.message()).contains("other.example.com").contains("shop/owner")
                    .contains("a rule host takes precedence");
        });
        assertThat(report(model, "shop", "owner").diagnostics()).isEmpty();
    }

    @Test
    void theSameAliasOnTwoIngressesGoesToTheOlderForEachPath() {
        Ingress older = aliased("older", "2024-01-01T00:00:00Z", "shared.example.com",
                rule("a.example.com", prefix("/", "web")));
        Ingress newer = aliased("newer", "2025-01-01T00:00:00Z", "shared.example.com",
                rule("b.example.com", prefix("/", "api"), prefix("/b", "api")));

        RouteModel model = translate(withServices(List.of(newer, older)));

        assertThat(paths(vhost(model, "shared.example.com"))).containsExactly("/b -> shop/api:80",
                "/ -> shop/web:80");
        assertThat(report(model, "shop", "newer").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("shared.example.com").contains("shop/older"));
    }

    @Test
    void anInvalidAliasIsAWarningAndTheOthersAreServed() {
        Ingress shop = aliased("shop", "2024-01-01T00:00:00Z", "bad_name!, 10.0.0.1, good.example.com",
                rule("shop.example.com", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(shop)));

        assertThat(model.virtualHosts()).extracting(v -> v.host().pattern())
                .containsExactlyInAnyOrder("shop.example.com", "good.example.com");
        assertThat(report(model, "shop", "shop").diagnostics()).hasSize(2)
                .allSatisfy(d -> assertThat(d.field()).isEqualTo(FIELD))
                .anySatisfy(d -> assertThat(d.message()).contains("'bad_name!'"))
                .anySatisfy(d -> assertThat(d.message()).contains("'10.0.0.1'"));
    }

    @Test
    void aRegularExpressionAliasIsRefused() {
        Ingress shop = aliased("shop", "2024-01-01T00:00:00Z", "~^www\\d+\\.example\\.com$",
                rule("shop.example.com", prefix("/", "web")));

        RouteModel model = translate(withServices(List.of(shop)));

        assertThat(model.virtualHosts()).hasSize(1);
        assertThat(report(model, "shop", "shop").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("regular-expression"));
    }

    @Test
    void aRuleWithoutHostIsNotAliased() {
        Ingress shop = aliased("shop", "2024-01-01T00:00:00Z", "alias.example.com",
                rule(null, prefix("/", "web")), rule("shop.example.com", prefix("/api", "api")));

        RouteModel model = translate(withServices(List.of(shop)));

        assertThat(paths(vhost(model, "alias.example.com"))).containsExactly("/api -> shop/api:80");
        assertThat(report(model, "shop", "shop").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("without host"));
    }

    @Test
    void aNewRuleHostTakesTheAliasBackAndGivesItUpWhenItGoes() {
        Ingress withAlias = aliased("with-alias", "2024-01-01T00:00:00Z", "other.example.com",
                rule("shop.example.com", prefix("/", "web")));
        Ingress owner = ingress("shop", "owner", "2025-01-01T00:00:00Z", rule("other.example.com",
                prefix("/api", "api")));
        IngressTranslator translator = new IngressTranslator(SETTINGS);

        RouteModel before = translator.translate(withServices(List.of(withAlias)));
        RouteModel during = translator.translate(withServices(List.of(withAlias, owner)));
        RouteModel after = translator.translate(withServices(List.of(withAlias)));

        assertThat(paths(vhost(before, "other.example.com"))).containsExactly("/ -> shop/web:80");
        assertThat(paths(vhost(during, "other.example.com"))).containsExactly("/api -> shop/api:80");
        assertThat(during).isEqualTo(translate(withServices(List.of(withAlias, owner))));
        assertThat(paths(vhost(after, "other.example.com"))).containsExactly("/ -> shop/web:80");
        assertThat(report(after, "shop", "with-alias").diagnostics()).isEmpty();
    }

    private static List<String> paths(VirtualHost host) {
        return host.routes().stream().map(ServerAliasTranslationTest::line).toList();
    }

    private static String line(Route route) {
        return route.path().path() + " -> " + route.upstreamKey();
    }
}
