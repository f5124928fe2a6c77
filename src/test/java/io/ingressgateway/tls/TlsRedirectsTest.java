package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.UpstreamPolicy;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Redirect answers follow every model: with and without any redirect in the model (skipping the lookup when nothing
 * redirects must not change an answer, and a single redirect, by rule or by host, brings it back), and when a rebuild
 * reuses the rules of unchanged virtual hosts.
 */
class TlsRedirectsTest {

    private static final IngressRef APP = new IngressRef("apps", "app");
    private final Route secure = new Route("secure", HostMatch.of("a.test"), PathMatch.prefix("/secure"), APP,
            "apps/web:80", UpstreamPolicy.DEFAULTS);
    private final Route open = new Route("open", HostMatch.of("a.test"), PathMatch.prefix("/open"), APP,
            "apps/web:80", UpstreamPolicy.DEFAULTS);
    private final TlsRedirects redirects = new TlsRedirects();

    private void serve(TlsModel tls) {
        RouteModel model = new RouteModel(List.of(new VirtualHost(HostMatch.of("a.test"), List.of(secure, open), null)),
                Map.of(), null, List.of(), 1, tls);
        redirects.onModel(new PipelineState(null, model));
    }

    @Test
    void nothingRedirectsWhenTheModelHasNoRedirect() {
        serve(TlsModel.EMPTY);
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/elsewhere")).isFalse();
        assertThat(redirects.redirects("b.test", "/")).isFalse();
    }

    @Test
    void aRedirectingRuleDecidesForItsOwnRequestsOnly() {
        serve(new TlsModel(List.of(), Set.of("secure"), Set.of()));
        assertThat(redirects.redirects("A.test:80", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/open/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/elsewhere")).isFalse();

        // The next model has none: the answers follow it.
        serve(TlsModel.EMPTY);
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
    }

    @Test
    void aRedirectingHostRedirectsWhatNoneOfItsRulesMatch() {
        serve(new TlsModel(List.of(), Set.of(), Set.of(HostMatch.of("a.test"))));
        assertThat(redirects.redirects("a.test", "/elsewhere")).isTrue();
        assertThat(redirects.redirects("a.test", "/open/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/elsewhere")).isFalse();
    }


    private static final IngressRef INGRESS = new IngressRef("ns", "web");


    private static VirtualHost host(String name, String... paths) {
        return new VirtualHost(HostMatch.of(name), java.util.Arrays.stream(paths)
                .map(path -> new Route(id(name, path), HostMatch.of(name), PathMatch.prefix(path), INGRESS,
                        "ns/web:80", null))
                .toList(), null);
    }

    private static String id(String host, String path) {
        return host + "|PREFIX|" + path;
    }

    private void apply(List<VirtualHost> hosts, Set<String> redirectRouteIds, Set<HostMatch> redirectHosts) {
        redirects.onModel(new PipelineState(null, new RouteModel(hosts, Map.of(), null, List.of(), 1,
                new TlsModel(List.of(), redirectRouteIds, redirectHosts))));
    }

    @Test
    void unchangedVirtualHostsKeepTheirDecisionsWhileChangedOnesGetTheirNewOnes() {
        VirtualHost a = host("a.test", "/secure", "/");
        VirtualHost b = host("b.test", "/");
        apply(List.of(a, b), Set.of(id("a.test", "/secure")), Set.of());
        assertThat(redirects.redirects("a.test", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/")).isFalse();

        // b.test gains a path; a.test is the same object, the redirect decisions are the same sets.
        apply(List.of(a, host("b.test", "/new", "/")), Set.of(id("a.test", "/secure")), Set.of());
        assertThat(redirects.redirects("a.test", "/secure/x")).isTrue();
        assertThat(redirects.redirects("a.test", "/x")).isFalse();
        assertThat(redirects.redirects("b.test", "/new")).isFalse();

        // The same virtual host objects, but other decisions (a TLS section added): they count, not the objects.
        VirtualHost c = host("c.test", "/app");
        apply(List.of(a, c), Set.of(id("a.test", "/")), Set.of(HostMatch.of("c.test"), HostMatch.of("d.test")));
        assertThat(redirects.redirects("a.test", "/secure/x")).isFalse();
        assertThat(redirects.redirects("a.test", "/x")).isTrue();
        assertThat(redirects.redirects("c.test", "/app")).isFalse();
        assertThat(redirects.redirects("c.test", "/nothing-here")).isTrue();
        assertThat(redirects.redirects("d.test", "/")).isTrue();
        assertThat(redirects.redirects("b.test", "/new")).isFalse();
    }
}
