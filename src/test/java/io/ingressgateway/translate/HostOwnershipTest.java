package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.serviceBackend;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ingress-gateway.host-ownership}: which namespaces may claim which hosts. Without rules any namespace claims
 * any host (the oldest Ingress wins), as in ingress-nginx; with rules, a claim its namespace may not make is dropped
 * with a warning naming host and namespace, and never takes a host from its owner.
 */
class HostOwnershipTest {

    private static final String T1 = "2024-01-01T00:00:00Z";
    private static final String T2 = "2024-02-01T00:00:00Z";

    /** Each team its own domain, a shop its one host; nothing else is anyone's. */
    static final List<HostOwnershipRule> STRICT = List.of(
            new HostOwnershipRule(List.of("team-a"), List.of("*.team-a.example.com", "team-a.example.com")),
            new HostOwnershipRule(List.of("team-b"), List.of("*.team-b.example.com")),
            new HostOwnershipRule(List.of("shop"), List.of("shop.example.com")));

    /** The same, and every other host (the catch-all included) free for every namespace. */
    static final List<HostOwnershipRule> DELEGATED = concat(STRICT,
            new HostOwnershipRule(List.of("*"), List.of("*")));

    static Stream<Arguments> claims() {
        return Stream.of(
                // No rules: as today, anyone claims anything.
                Arguments.of("none", List.of(), "team-b", "x.team-a.example.com", true),
                Arguments.of("none", List.of(), "team-b", "", true),
                Arguments.of("none", List.of(), "team-b", "*.example.com", true),
                // A team's own domain, at any depth, exact or wildcard.
                Arguments.of("strict", STRICT, "team-a", "x.team-a.example.com", true),
                Arguments.of("strict", STRICT, "team-a", "a.b.team-a.example.com", true),
                Arguments.of("strict", STRICT, "team-a", "team-a.example.com", true),
                Arguments.of("strict", STRICT, "team-a", "*.team-a.example.com", true),
                Arguments.of("strict", STRICT, "team-a", "*.x.team-a.example.com", true),
                Arguments.of("strict", STRICT, "shop", "Shop.Example.COM", true),
                // Another team's domain, or anything nobody was given.
                Arguments.of("strict", STRICT, "team-a", "x.team-b.example.com", false),
                Arguments.of("strict", STRICT, "team-b", "x.team-a.example.com", false),
                Arguments.of("strict", STRICT, "team-b", "team-a.example.com", false),
                Arguments.of("strict", STRICT, "team-a", "shop.example.com", false),
                Arguments.of("strict", STRICT, "team-a", "other.org", false),
                Arguments.of("strict", STRICT, "team-a", "example.com", false),
                // A wildcard wider than the team's domain.
                Arguments.of("strict", STRICT, "team-a", "*.example.com", false),
                // A rule without host answers for every host: it needs '*'.
                Arguments.of("strict", STRICT, "team-a", "", false),
                // Delegated: the rest is free, the reserved domains are still their owners' only.
                Arguments.of("delegated", DELEGATED, "team-c", "other.org", true),
                Arguments.of("delegated", DELEGATED, "team-c", "*.other.org", true),
                Arguments.of("delegated", DELEGATED, "team-c", "", true),
                Arguments.of("delegated", DELEGATED, "team-c", "x.team-a.example.com", false),
                Arguments.of("delegated", DELEGATED, "team-c", "*.team-a.example.com", false),
                Arguments.of("delegated", DELEGATED, "team-c", "*.x.team-a.example.com", false),
                Arguments.of("delegated", DELEGATED, "team-c", "team-a.example.com", false),
                // *.example.com would match shop.example.com and team-a.example.com, which are someone else's.
                Arguments.of("delegated", DELEGATED, "team-c", "*.example.com", false),
                Arguments.of("delegated", DELEGATED, "team-a", "*.example.com", false),
                Arguments.of("delegated", DELEGATED, "shop", "*.example.com", false),
                // ... while *.other.example.com matches none of them.
                Arguments.of("delegated", DELEGATED, "team-c", "*.other.example.com", true));
    }

    @ParameterizedTest(name = "{0}: namespace {2} claims ''{3}'' -> {4}")
    @MethodSource("claims")
    void aRuleIsServedOnlyWhenItsNamespaceMayClaimItsHost(String name, List<HostOwnershipRule> rules,
                                                          String namespace, String host, boolean allowed) {
        Ingress ingress = ingress(namespace, "app", T1, rule(host, prefix("/", "web")));

        RouteModel model = translator(rules).translate(snapshot(ingress));

        IngressReport report = report(model, namespace, "app");
        assertThat(report.served()).isTrue();
        if (allowed) {
            assertThat(model.virtualHosts()).extracting(v -> v.host().pattern())
                    .containsExactly(HostMatch.of(host).pattern());
            assertThat(report.diagnostics()).isEmpty();
            return;
        }
        assertThat(model.virtualHosts()).isEmpty();
        assertThat(model.upstreams()).isEmpty();
        assertThat(report.diagnostics()).hasSize(1);
        Diagnostic diagnostic = report.diagnostics().get(0);
        assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
        assertThat(diagnostic.field()).isEqualTo("spec.rules[0].host");
        assertThat(diagnostic.message()).contains("host " + HostMatch.of(host), "namespace " + namespace,
                "ingress-gateway.host-ownership", "rule ignored");
    }

    @Test
    void anOlderIngressOfAnotherNamespaceNoLongerTakesAnOwnedHost() {
        Ingress squatter = ingress("team-b", "squat", T1, rule("shop.team-a.example.com", prefix("/", "evil")),
                rule("x.team-b.example.com", prefix("/", "mine")));
        Ingress owner = ingress("team-a", "shop", T2, rule("shop.team-a.example.com", prefix("/", "shop")));
        ClusterSnapshot cluster = snapshot(squatter, owner);

        // Today: the oldest Ingress wins, whatever its namespace.
        RouteModel unrestricted = translator(List.of()).translate(cluster);
        assertThat(Fixtures.routeLines(unrestricted))
                .contains("shop.team-a.example.com|PREFIX|/ -> team-b/evil:80");

        RouteModel owned = translator(STRICT).translate(cluster);
        assertThat(Fixtures.routeLines(owned)).containsExactly(
                "shop.team-a.example.com|PREFIX|/ -> team-a/shop:80",
                "x.team-b.example.com|PREFIX|/ -> team-b/mine:80");
        assertThat(report(owned, "team-a", "shop").diagnostics()).isEmpty();
        assertThat(report(owned, "team-b", "squat").diagnostics()).singleElement()
                .satisfies(d -> assertThat(d.message()).contains("shop.team-a.example.com", "team-b"));
        assertThat(owned.upstreams()).doesNotContainKey(key("team-b", "evil", "80"));
    }

    static final Issued TEAM_A_CERT = TestCertificates.issue("shop.team-a.example.com", KeyFormat.EC_PKCS8,
            "shop.team-a.example.com");

    @Test
    void aTlsHostIsClaimedOnlyByANamespaceThatMayClaimIt() {
        // team-b holds a certificate for team-a's host (say, an old one) and is the oldest to name it.
        Ingress squatter = ingress("team-b", "squat", T1).editSpec()
                .withRules(rule("x.team-b.example.com", prefix("/", "mine")))
                .withTls(new IngressTLSBuilder().withSecretName("stolen").withHosts("shop.team-a.example.com").build())
                .endSpec().build();
        Ingress owner = ingress("team-a", "shop", T2).editSpec()
                .withRules(rule("shop.team-a.example.com", prefix("/", "shop")))
                .withTls(new IngressTLSBuilder().withSecretName("cert").withHosts("shop.team-a.example.com").build())
                .endSpec().build();
        List<Secret> secrets = List.of(TestCertificates.secret("team-b", "stolen", TEAM_A_CERT),
                TestCertificates.secret("team-a", "cert", TEAM_A_CERT));
        ClusterSnapshot services = snapshot(squatter, owner);
        ClusterSnapshot cluster = new ClusterSnapshot(services.ingresses(), services.ingressClasses(),
                services.services(), services.endpointSlices(), secrets, services.revision());

        RouteModel unrestricted = translator(List.of()).translate(cluster);
        assertThat(unrestricted.tls().hosts()).extracting(TlsHost::secret).containsExactly("team-b/stolen");

        RouteModel owned = translator(STRICT).translate(cluster);
        assertThat(owned.tls().hosts()).extracting(TlsHost::secret).containsExactly("team-a/cert");
        assertThat(report(owned, "team-b", "squat").diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("spec.tls[0].hosts[0]");
            assertThat(d.message()).contains("TLS host shop.team-a.example.com", "namespace team-b",
                    "ingress-gateway.host-ownership");
        });
        assertThat(report(owned, "team-a", "shop").diagnostics()).isEmpty();
    }

    @Test
    void theCatchAllDefaultBackendNeedsANamespaceThatMayClaimEveryHost() {
        // As in ingress-nginx, only an Ingress without rules is a catch-all.
        Ingress catchAll = ingress("team-a", "catch-all", T1).editSpec()
                .withDefaultBackend(serviceBackend("mine", 80)).endSpec().build();

        RouteModel strict = new IngressTranslator(Fixtures.SETTINGS.withHostOwnership(STRICT))
                .translate(snapshot(catchAll));
        assertThat(strict.defaultUpstreamKey()).isNull();
        assertThat(report(strict, "team-a", "catch-all").diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.field()).isEqualTo("spec.defaultBackend");
            assertThat(d.message()).contains("namespace team-a may not claim every host",
                    "ingress-gateway.host-ownership");
        });

        RouteModel delegated = translator(DELEGATED).translate(snapshot(catchAll));
        assertThat(delegated.defaultUpstreamKey()).isEqualTo(key("team-a", "mine", "80"));
        assertThat(report(delegated, "team-a", "catch-all").diagnostics()).isEmpty();
    }

    static Stream<Arguments> invalidRules() {
        return Stream.of(
                Arguments.of(new HostOwnershipRule(List.of(), List.of("a.example.com")), "must list"),
                Arguments.of(new HostOwnershipRule(List.of("team-a"), List.of()), "must list"),
                Arguments.of(new HostOwnershipRule(List.of("Team_A"), List.of("a.example.com")), "Team_A"),
                Arguments.of(new HostOwnershipRule(List.of("team-a"), List.of("a.*.example.com")), "a.*.example.com"),
                Arguments.of(new HostOwnershipRule(List.of("team-a"), List.of("*example.com")), "*example.com"),
                Arguments.of(new HostOwnershipRule(List.of("team-a"), List.of("a.example.com:80")), "a.example.com:80"),
                Arguments.of(new HostOwnershipRule(List.of("team-a"), List.of("")), "''"));
    }

    @ParameterizedTest(name = "{0} is refused at start: {1}")
    @MethodSource("invalidRules")
    void anInvalidRuleIsRefusedWhenTheTranslatorIsMade(HostOwnershipRule rule, String named) {
        assertThatThrownBy(() -> translator(List.of(rule))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingress-gateway.host-ownership[0]").hasMessageContaining(named);
    }

    private static IngressTranslator translator(List<HostOwnershipRule> rules) {
        return new IngressTranslator(Fixtures.SETTINGS.withHostOwnership(rules));
    }

    private static List<HostOwnershipRule> concat(List<HostOwnershipRule> rules, HostOwnershipRule more) {
        List<HostOwnershipRule> all = new ArrayList<>(rules);
        all.add(more);
        return List.copyOf(all);
    }
}
