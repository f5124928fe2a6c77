package io.ingressgateway.tls;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Models.prefix;
import static io.ingressgateway.support.Models.state;
import static io.ingressgateway.support.Models.virtualHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.lookup.RouteTable;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.support.Models;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Redirect answers follow every model: a route's requests redirect as its policy says against the TLS hosts, a host's
 * unmatched requests as the model's redirect hosts say; with and without any redirect in the model (skipping the
 * lookup when nothing redirects must not change an answer), and when a rebuild reuses the rules of unchanged virtual
 * hosts.
 */
class TlsRedirectsTest {

    private static final UpstreamKey WEB = key("apps", "web", "80");
    private static final TlsRedirectPolicy OPT_OUT = new TlsRedirectPolicy(false, false);
    private static final TlsRedirectPolicy FORCE = new TlsRedirectPolicy(true, true);

    private final Route secure = prefix("a.test", "/secure", WEB);
    private final Route open = prefix("a.test", "/open", WEB, OPT_OUT);
    private final TlsRedirects redirects = new TlsRedirects();

    private void serve(TlsModel tls, VirtualHost... hosts) {
        redirects.onModel(state(Models.model(List.of(hosts), null, 1, tls)));
    }

    private void serve(TlsModel tls) {
        serve(tls, virtualHost("a.test", null, secure, open));
    }

    private static TlsModel tls(Set<String> redirectHosts, String... tlsHosts) {
        return new TlsModel(Arrays.stream(tlsHosts)
                .map(host -> new TlsHost(HostMatch.of(host), new IngressRef("apps", "app"), null, null, "test"))
                .toList(), redirectHosts.stream().map(HostMatch::of).collect(java.util.stream.Collectors.toSet()),
                null);
    }

    @Test
    void nothingRedirectsWhenTheModelHasNoRedirect() {
        serve(TlsModel.EMPTY);
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/elsewhere")).isFalse();
        assertThat(redirects.redirects("b.test", "/")).isFalse();
    }

    @Test
    void aRuleOfATlsHostRedirectsItsOwnRequestsUnlessItsPolicyOptsOut() {
        serve(tls(Set.of(), "a.test"));
        assertThat(redirects.redirects("A.test:80", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/open/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/elsewhere")).isFalse();
        assertThat(redirects.hasTls("A.test:8443")).isTrue();

        // The next model has no TLS for the host: the answers follow it.
        serve(TlsModel.EMPTY);
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
        assertThat(redirects.hasTls("a.test")).isFalse();
    }

    @Test
    void aWildcardTlsHostCoversTheRulesOfTheExactHostsItCovers() {
        serve(tls(Set.of(), "*.test"));
        assertThat(redirects.redirects("a.test", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/open/x")).isFalse();
        assertThat(redirects.hasTls("b.test")).isTrue();
        assertThat(redirects.hasTls("b.a.test")).isFalse();
    }

    @Test
    void aForcingRuleRedirectsWithoutTls() {
        Route forced = prefix("f.test", "/forced", WEB, FORCE);
        serve(TlsModel.EMPTY, virtualHost("f.test", null, forced, prefix("f.test", "/", WEB)));
        assertThat(redirects.redirects("f.test", "/forced/x")).isTrue();
        assertThat(redirects.redirects("f.test", "/other")).isFalse();
        assertThat(redirects.hasTls("f.test")).isFalse();
    }

    @Test
    void aRedirectingHostRedirectsWhatNoneOfItsRulesMatch() {
        serve(tls(Set.of("a.test")));
        assertThat(redirects.redirects("a.test", "/elsewhere")).isTrue();
        assertThat(redirects.redirects("a.test", "/open/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/elsewhere")).isFalse();
    }

    @Test
    void unchangedVirtualHostsKeepTheirDecisionsWhileChangedOnesGetTheirNewOnes() {
        VirtualHost a = virtualHost("a.test", null, prefix("a.test", "/secure", WEB), prefix("a.test", "/", WEB,
                OPT_OUT));
        VirtualHost b = virtualHost("b.test", null, prefix("b.test", "/", WEB));
        serve(tls(Set.of(), "a.test"), a, b);
        assertThat(redirects.redirects("a.test", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/")).isFalse();

        // b.test gains a path; a.test is the same object, the TLS and redirect hosts are the same.
        serve(tls(Set.of(), "a.test"), a, virtualHost("b.test", null, prefix("b.test", "/new", WEB),
                prefix("b.test", "/", WEB)));
        assertThat(redirects.redirects("a.test", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/new")).isFalse();

        // The same virtual host objects, but other TLS hosts: they count, not the objects.
        VirtualHost c = virtualHost("c.test", null, prefix("c.test", "/app", WEB, OPT_OUT));
        serve(tls(Set.of("c.test", "d.test"), "c.test", "b.test"), a, c, b);
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/x")).isFalse();
        assertThat(redirects.redirects("c.test", "/app")).isFalse();
        assertThat(redirects.redirects("c.test", "/nothing-here")).isTrue();
        assertThat(redirects.redirects("d.test", "/")).isTrue();
        assertThat(redirects.redirects("b.test", "/")).isTrue();
    }

    static Stream<Long> seeds() {
        return Stream.iterate(1L, seed -> seed + 1).limit(40);
    }

    /**
     * A request matched to a rule of an exact host is decided by the rule's policy from its served route; the answer
     * must be the one the host-and-path lookup gives, whatever the model (random hosts of every kind, TLS hosts,
     * redirect hosts with and without rules, policies).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theServedRulesPolicyAnswersAsTheLookupDoes(long seed) {
        Random random = new Random(seed);
        String[] hosts = {"a.test", "b.test", "x.a.test", "*.test", "*.a.test", ""};
        String[] paths = {"/", "/api", "/api/v1", "/web"};
        TlsRedirectPolicy[] policies = {null, OPT_OUT, FORCE, new TlsRedirectPolicy(false, true)};
        List<VirtualHost> virtualHosts = new ArrayList<>();
        for (String host : hosts) {
            // a.test is always there with a root rule, so some requests are decided by a rule of an exact host.
            boolean always = host.equals("a.test");
            if (!always && random.nextInt(4) == 0) {
                continue;
            }
            List<Route> routes = new ArrayList<>();
            for (String path : paths) {
                if (random.nextBoolean() || (always && path.equals("/"))) {
                    TlsRedirectPolicy policy = policies[random.nextInt(policies.length)];
                    routes.add(policy == null ? prefix(host, path, WEB) : prefix(host, path, WEB, policy));
                }
            }
            routes.sort(java.util.Comparator.comparingInt((Route r) -> r.path().path().length()).reversed());
            virtualHosts.add(virtualHost(host, null, routes.toArray(Route[]::new)));
        }
        Set<String> tlsHosts = new HashSet<>();
        Set<String> redirectHosts = new HashSet<>();
        for (String host : new String[] {"a.test", "b.test", "x.a.test", "c.test", "*.test", "*.a.test"}) {
            if (random.nextInt(3) == 0) {
                tlsHosts.add(host);
            }
            if (random.nextInt(3) == 0) {
                redirectHosts.add(host);
            }
        }
        RouteModel model = Models.model(virtualHosts, null, 1, tls(redirectHosts, tlsHosts.toArray(String[]::new)));
        redirects.onModel(state(model));
        IngressRouteLocator locator = new IngressRouteLocator();
        locator.update(IngressRouteDefinitions.from(model));
        RouteTable.Builder<ServedRoute> rules = RouteTable.builder();
        for (ServedRoute served : locator.served()) {
            if (served.kind() == Kind.RULE) {
                rules.rule(served.rule().host(), served.rule().path(), served);
            }
        }
        RouteTable<ServedRoute> gateway = rules.build();

        int decidedByRule = 0;
        for (String host : new String[] {"a.test", "b.test", "x.a.test", "y.a.test", "c.test", "other"}) {
            for (String path : new String[] {"/", "/api/v1/x", "/api", "/web/x", "/other"}) {
                ServedRoute matched = gateway.lookup(host, path);
                boolean byLookup = redirects.redirects(host, path);
                assertThat(redirects.redirects(matched, host, path)).as("seed %d: %s%s matched %s", seed, host,
                        path, matched).isEqualTo(byLookup);
                if (matched != null && matched.rule().host().kind() == HostMatch.Kind.EXACT) {
                    decidedByRule++;
                }
            }
        }
        assertThat(decidedByRule).isPositive();
    }
}
