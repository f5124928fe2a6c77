package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.routeLines;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.support.Objects;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Precedence, merging across Ingresses, conflicts and route ids. */
class IngressTranslatorTest {

    private static final String T1 = "2024-01-01T00:00:00Z";
    private static final String T2 = "2024-06-01T00:00:00Z";

    static Stream<Arguments> precedence() {
        return Stream.of(
                Arguments.of("longest path first",
                        List.of(prefix("/", "a"), prefix("/api", "b"), prefix("/api/v1", "c")),
                        List.of("h.example|PREFIX|/api/v1 -> ns/c:80", "h.example|PREFIX|/api -> ns/b:80",
                                "h.example|PREFIX|/ -> ns/a:80")),
                Arguments.of("Exact before Prefix for the same path",
                        List.of(prefix("/api", "p"), path("Exact", "/api", "e", 80)),
                        List.of("h.example|EXACT|/api -> ns/e:80", "h.example|PREFIX|/api -> ns/p:80")),
                Arguments.of("Prefix with and without trailing slash differ from Exact",
                        List.of(path("Exact", "/api/", "e", 80), prefix("/api/", "p")),
                        List.of("h.example|EXACT|/api/ -> ns/e:80", "h.example|PREFIX|/api -> ns/p:80")),
                Arguments.of("same length: path text breaks the tie",
                        List.of(prefix("/bbb", "b"), prefix("/aaa", "a"), path("Exact", "/ccc", "c", 80)),
                        List.of("h.example|EXACT|/ccc -> ns/c:80", "h.example|PREFIX|/aaa -> ns/a:80",
                                "h.example|PREFIX|/bbb -> ns/b:80")),
                Arguments.of("ImplementationSpecific ranks as Prefix",
                        List.of(path("ImplementationSpecific", "/x/", "i", 80), path("Exact", "/x/y", "e", 80)),
                        List.of("h.example|EXACT|/x/y -> ns/e:80", "h.example|PREFIX|/x -> ns/i:80")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precedence")
    void routesAreOrderedByPrecedence(String description,
                                      List<io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath> paths,
                                      List<String> expected) {
        RouteModel model = translate(snapshot(ingress("ns", "app", T1,
                rule("h.example", paths.toArray(io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath[]::new)))));

        assertEquals(expected, routeLines(model));
        assertEquals(List.of(), Fixtures.allDiagnostics(model));
    }

    @Test
    void virtualHostsAreExactThenWildcardThenAnyEachAlphabetical() {
        Ingress ingress = ingress("ns", "app", T1,
                rule(null, prefix("/", "any")),
                rule("*.b.example", prefix("/", "w")),
                rule("z.example", prefix("/", "z")),
                rule("*.a.example", prefix("/", "w")),
                rule("a.example", prefix("/", "a")));

        RouteModel model = translate(snapshot(ingress));

        assertEquals(List.of("a.example", "z.example", "*.a.example", "*.b.example", "*"),
                model.virtualHosts().stream().map(v -> v.host().toString()).toList());
        // The report lists routes in the order the Ingress declares them.
        assertEquals(List.of("*|PREFIX|/", "*.b.example|PREFIX|/", "z.example|PREFIX|/", "*.a.example|PREFIX|/",
                "a.example|PREFIX|/"), report(model, "ns", "app").routeIds());
        assertEquals(7, model.revision());
    }

    @Test
    void sameHostFromSeveralIngressesMergesIntoOneVirtualHost() {
        Ingress api = ingress("team-a", "api", T1, rule("shop.example", prefix("/api", "api")));
        Ingress web = ingress("team-b", "web", T2, rule("SHOP.example", prefix("/", "web"),
                path("Exact", "/health", "web", 8080)));

        RouteModel model = translate(snapshot(web, api));

        assertEquals(1, model.virtualHosts().size());
        assertEquals(List.of("shop.example|EXACT|/health -> team-b/web:8080", "shop.example|PREFIX|/api -> team-a/api:80",
                "shop.example|PREFIX|/ -> team-b/web:80"), routeLines(model));
        assertEquals(List.of("shop.example|PREFIX|/api"), report(model, "team-a", "api").routeIds());
        assertEquals(List.of("shop.example|PREFIX|/", "shop.example|EXACT|/health"),
                report(model, "team-b", "web").routeIds());
        assertEquals(List.of("team-a/api", "team-b/web"),
                model.ingresses().stream().map(r -> r.ingress().toString()).toList());
        assertEquals(List.of(), Fixtures.allDiagnostics(model));
    }

    /** Two Ingresses claim host /path; who wins, by timestamp then namespace/name. */
    static Stream<Arguments> conflicts() {
        return Stream.of(
                Arguments.of("older timestamp wins", "ns", "b", T1, "ns", "a", T2, "ns/b"),
                Arguments.of("older timestamp wins whatever the name", "z", "z", T1, "a", "a", T2, "z/z"),
                Arguments.of("same timestamp: namespace breaks the tie", "b", "x", T1, "a", "x", T1, "a/x"),
                Arguments.of("same timestamp and namespace: name breaks the tie", "ns", "b", T1, "ns", "a", T1,
                        "ns/a"),
                Arguments.of("timestamp beats no timestamp", "a", "a", null, "z", "z", T2, "z/z"),
                Arguments.of("no timestamps: namespace/name", "ns", "b", null, "ns", "a", null, "ns/a"),
                Arguments.of("unparseable timestamp counts as missing", "a", "a", "yesterday", "z", "z", T2, "z/z"),
                Arguments.of("offsets are compared as instants", "a", "a", "2024-01-01T01:00:00+02:00", "z", "z",
                        "2023-12-31T23:30:00Z", "a/a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conflicts")
    void conflictGoesToTheOldestIngress(String description, String ns1, String name1, String created1,
                                        String ns2, String name2, String created2, String winner) {
        Ingress first = ingress(ns1, name1, created1, rule("h.example", prefix("/app/", "one")));
        Ingress second = ingress(ns2, name2, created2, rule("h.example", prefix("/app", "two"),
                prefix("/own-" + name2 + "-" + ns2, "two")));
        List<Ingress> both = new ArrayList<>(List.of(first, second));

        for (boolean reversed : new boolean[] {false, true}) {
            if (reversed) {
                Collections.reverse(both);
            }
            RouteModel model = translate(Fixtures.withServices(both));

            String winnerService = winner.equals(ns1 + "/" + name1) ? ns1 + "/one:80" : ns2 + "/two:80";
            assertTrue(routeLines(model).contains("h.example|PREFIX|/app -> " + winnerService), routeLines(model).toString());
            IngressReport loser = winner.equals(ns1 + "/" + name1) ? report(model, ns2, name2)
                    : report(model, ns1, name1);
            IngressReport won = winner.equals(ns1 + "/" + name1) ? report(model, ns1, name1)
                    : report(model, ns2, name2);
            assertTrue(won.routeIds().contains("h.example|PREFIX|/app"));
            assertTrue(won.diagnostics().isEmpty(), won.diagnostics().toString());
            assertEquals(1, loser.diagnostics().size(), loser.diagnostics().toString());
            Diagnostic diagnostic = loser.diagnostics().get(0);
            assertEquals(Diagnostic.Severity.WARNING, diagnostic.severity());
            assertEquals("spec.rules[0].http.paths[0]", diagnostic.field());
            assertTrue(diagnostic.message().contains("already served by Ingress " + winner), diagnostic.message());
            assertTrue(!loser.routeIds().contains("h.example|PREFIX|/app"));
            // The loser keeps everything that does not conflict.
            assertTrue(report(model, ns2, name2).routeIds().contains("h.example|PREFIX|/own-" + name2 + "-" + ns2));
        }
    }

    @Test
    void differentTypeOrHostIsNoConflict() {
        Ingress a = ingress("ns", "a", T1, rule("h.example", prefix("/x", "a")));
        Ingress b = ingress("ns", "b", T2, rule("h.example", path("Exact", "/x", "b", 80)),
                rule("other.example", prefix("/x", "b")), rule("*.example", prefix("/x", "b")));

        RouteModel model = translate(snapshot(a, b));

        assertEquals(List.of(), Fixtures.allDiagnostics(model));
        assertEquals(4, routeLines(model).size());
    }

    @Test
    void duplicateWithinOneIngressFirstWins() {
        Ingress ingress = ingress("ns", "app", T1,
                rule("h.example", prefix("/x", "first"), prefix("/x/", "second")),
                rule("H.example", path("ImplementationSpecific", "/x", "third", 80)));

        RouteModel model = translate(snapshot(ingress));

        assertEquals(List.of("h.example|PREFIX|/x -> ns/first:80"), routeLines(model));
        IngressReport report = report(model, "ns", "app");
        assertEquals(List.of("h.example|PREFIX|/x"), report.routeIds());
        assertEquals(List.of("spec.rules[0].http.paths[1]", "spec.rules[1].http.paths[0]"),
                report.diagnostics().stream().map(Diagnostic::field).toList());
        assertTrue(report.diagnostics().stream().allMatch(d -> d.message().contains("first one wins")));
        assertEquals(List.of(key("ns", "first", "80")), List.copyOf(model.upstreams().keySet()));
    }

    @Test
    void routeIdsAreUniqueAndStableAcrossInputOrder() {
        List<Ingress> ingresses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ingresses.add(ingress("ns" + (i % 5), "app" + i, i % 3 == 0 ? null : "2024-01-0" + (1 + i % 9) + "T00:00:00Z",
                    rule("h" + (i % 7) + ".example", prefix("/p" + (i % 4), "s" + i), path("Exact", "/", "s" + i, 80)),
                    rule(null, prefix("/any" + (i % 3), "s" + i))));
        }
        RouteModel forward = translate(Fixtures.withServices(ingresses));
        Collections.reverse(ingresses);
        RouteModel backward = translate(Fixtures.withServices(ingresses));

        assertEquals(forward, backward);
        List<String> ids = forward.virtualHosts().stream().flatMap(v -> v.routes().stream()).map(r -> r.id()).toList();
        assertEquals(ids.size(), ids.stream().distinct().count());
        List<String> owned = forward.ingresses().stream().flatMap(r -> r.routeIds().stream()).sorted().toList();
        assertEquals(ids.stream().sorted().toList(), owned);
    }

    @Test
    void ruleWithHostButNoPathsStillDeclaresTheVirtualHost() {
        Ingress ingress = ingress("ns", "app", T1).editSpec()
                .withDefaultBackend(Objects.serviceBackend("fallback", 80))
                .addNewRule().withHost("bare.example").endRule().endSpec().build();

        RouteModel model = translate(snapshot(ingress));

        assertEquals(List.of(), Fixtures.vhost(model, "bare.example").routes());
        assertEquals(key("ns", "fallback", "80"), Fixtures.vhost(model, "bare.example").defaultUpstreamKey());
    }

    /** Ten thousand Ingresses sharing a thousand hosts: all merged, none lost (linear merge, no timing asserted). */
    @Test
    void manyIngressesMergeCompletely() {
        List<Ingress> ingresses = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ingresses.add(ingress("ns" + (i % 100), "app" + i, null,
                    rule("h" + (i % 1000) + ".example", prefix("/p" + i, "svc" + (i % 50)))));
        }

        RouteModel model = translate(Fixtures.withServices(ingresses));

        assertEquals(1000, model.virtualHosts().size());
        assertEquals(10_000, model.virtualHosts().stream().mapToInt(v -> v.routes().size()).sum());
        assertEquals(10_000, model.ingresses().size());
        // svc index is determined by the namespace index (i % 50 of i % 100): 100 distinct upstreams.
        assertEquals(100, model.upstreams().size());
        assertEquals(List.of(), Fixtures.allDiagnostics(model));
    }
}
