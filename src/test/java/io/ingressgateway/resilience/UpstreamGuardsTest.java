package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.pipeline.PipelineState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

/** Guards follow the route model: created, kept, replaced on a policy change, retired with their meters. */
class UpstreamGuardsTest {

    static final Resilience DEFAULTS = new Resilience(Duration.ofSeconds(5), Duration.ofSeconds(60), 1024, 2,
            Duration.ofSeconds(1),
            new Resilience.CircuitBreaker(50, Duration.ofSeconds(10), 80, 100, 20, Duration.ofSeconds(10), 5),
            new Resilience.UpstreamPool(1024, 256, Duration.ofSeconds(1)), Duration.ofSeconds(60));

    static final IngressRef SHOP = new IngressRef("apps", "shop");
    static final IngressRef BLOG = new IngressRef("apps", "blog");
    static final UpstreamKey WEB = new UpstreamKey("apps", "web", "80");
    static final UpstreamKey API = new UpstreamKey("apps", "api", "http");
    static final UpstreamKey FALLBACK = new UpstreamKey("apps", "fallback", "80");
    static final UpstreamKey OLD = new UpstreamKey("apps", "old", "80");
    static final UpstreamKey NEW = new UpstreamKey("apps", "new", "80");

    final MeterRegistry registry = new SimpleMeterRegistry();
    final UpstreamGuards guards = new UpstreamGuards(DEFAULTS, registry);

    record RouteSpec(IngressRef ingress, UpstreamKey upstream, UpstreamPolicy policy) {
    }

    static RouteModel model(UpstreamKey defaultUpstream, RouteSpec... specs) {
        List<Route> routes = new ArrayList<>();
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        for (int i = 0; i < specs.length; i++) {
            RouteSpec spec = specs[i];
            routes.add(new Route("r" + i, HostMatch.of("h.example"), PathMatch.prefix("/p" + i), spec.ingress(),
                    spec.upstream(), RoutePolicies.of(spec.policy())));
            upstreams.put(spec.upstream(), upstream(spec.upstream()));
        }
        if (defaultUpstream != null) {
            upstreams.put(defaultUpstream, upstream(defaultUpstream));
        }
        return new RouteModel(List.of(new VirtualHost(HostMatch.of("h.example"), routes, null)), upstreams,
                defaultUpstream, List.of(), 1);
    }

    static Upstream upstream(UpstreamKey key) {
        return new Upstream(key, List.of(new Endpoint("10.0.0.1", 8080)), false);
    }

    void apply(RouteModel model) {
        guards.onModel(new PipelineState(null, model));
    }

    double inflightLimit(String ingress, String service) {
        var gauge = registry.find(UpstreamGuard.METER_PREFIX + "inflight.limit").tag("ingress", ingress)
                .tag("service", service).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    @Test
    void oneGuardPerIngressAndUpstreamWithTheIngresssPolicyOverTheDefaults() {
        UpstreamPolicy small = new UpstreamPolicy(null, Duration.ofSeconds(2), 10, null, null, null);
        apply(model(FALLBACK, new RouteSpec(SHOP, WEB, small), new RouteSpec(SHOP, WEB, small),
                new RouteSpec(SHOP, API, small), new RouteSpec(BLOG, WEB, UpstreamPolicy.DEFAULTS)));

        assertThat(guards.policies().keySet()).containsExactlyInAnyOrder(new GuardKey(SHOP, WEB),
                new GuardKey(SHOP, API), new GuardKey(BLOG, WEB), GuardKey.ofDefault(FALLBACK));
        guards.guard(GuardKey.ofDefault(FALLBACK));
        GuardPolicy shopWeb = guards.guard(new GuardKey(SHOP, WEB)).policy();
        assertThat(shopWeb.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(shopWeb.maxConcurrentRequests()).isEqualTo(10);
        assertThat(shopWeb.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(shopWeb.retries()).isEqualTo(2);
        assertThat(guards.guard(new GuardKey(BLOG, WEB)).policy().maxConcurrentRequests()).isEqualTo(1024);
        assertThat(inflightLimit("shop", "web")).isEqualTo(10);
        assertThat(inflightLimit("blog", "web")).isEqualTo(1024);
        assertThat(inflightLimit("", "fallback")).isEqualTo(1024);
    }

    @Test
    void aGuardAndItsMetersAreMadeAtTheFirstRequestThatNeedsIt() {
        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS),
                new RouteSpec(BLOG, WEB, UpstreamPolicy.DEFAULTS)));
        assertThat(guards.activeGuards()).isEmpty();
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "inflight.limit").gauges()).isEmpty();
        assertThat(guards.existingGuard(new GuardKey(SHOP, WEB))).isNull();

        UpstreamGuard shop = guards.guard(new GuardKey(SHOP, WEB));

        assertThat(guards.activeGuards()).containsOnlyKeys(new GuardKey(SHOP, WEB));
        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
        assertThat(inflightLimit("shop", "web")).isEqualTo(1024);
        assertThat(inflightLimit("blog", "web")).isNaN();
    }

    @Test
    void aGuardFirstNeededAfterItsPairLeftTheModelServesButRegistersNoMeters() {
        apply(model(null, new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS)));
        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));

        // A request matched to a route of the previous model, arriving after the swap.
        UpstreamGuard late = guards.guard(new GuardKey(BLOG, API));

        assertThat(late).isNotNull();
        assertThat(late.tryEnterBulkhead()).isTrue();
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "inflight").tag("ingress", "blog").meters()).isEmpty();
    }

    @Test
    void anUnchangedPolicyKeepsItsGuardAndItsState() {
        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));
        UpstreamGuard first = guards.guard(new GuardKey(SHOP, WEB));
        assertThat(first.tryEnterBulkhead()).isTrue();

        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS),
                new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS)));

        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(first);
        assertThat(first.inFlight()).isEqualTo(1);
    }

    @Test
    void aChangedPolicyReplacesTheGuardAndItsMeters() {
        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));
        UpstreamGuard first = guards.guard(new GuardKey(SHOP, WEB));

        apply(model(null, new RouteSpec(SHOP, WEB, new UpstreamPolicy(null, null, 5, null, null, null))));

        UpstreamGuard second = guards.guard(new GuardKey(SHOP, WEB));
        assertThat(second).isNotSameAs(first);
        assertThat(second.policy().maxConcurrentRequests()).isEqualTo(5);
        assertThat(inflightLimit("shop", "web")).isEqualTo(5);
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "inflight.limit").tag("ingress", "shop").gauges())
                .hasSize(1);
    }

    @Test
    void aGuardLeavingTheModelIsRetiredWithItsMetersButStillServesTheRequestsOfThePreviousModel() {
        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS),
                new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS)));
        UpstreamGuard blog = guards.guard(new GuardKey(BLOG, API));
        guards.guard(new GuardKey(SHOP, WEB));

        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));

        assertThat(guards.policies()).doesNotContainKey(new GuardKey(BLOG, API));
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "inflight").tag("ingress", "blog").meters()).isEmpty();
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "rejections").tag("ingress", "blog").meters())
                .isEmpty();
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "inflight").tag("ingress", "shop").meters())
                .isNotEmpty();
        // A request matched to the old route a moment before the gateway swapped its routes.
        assertThat(guards.guard(new GuardKey(BLOG, API))).isSameAs(blog);

        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));
        assertThat(guards.guard(new GuardKey(BLOG, API))).isNull();
    }

    static VirtualHost host(String name, RouteSpec... specs) {
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            routes.add(new Route(name + "|" + i, HostMatch.of(name), PathMatch.prefix("/p" + i), specs[i].ingress(),
                    specs[i].upstream(), RoutePolicies.of(specs[i].policy())));
        }
        return new VirtualHost(HostMatch.of(name), routes, null);
    }

    /** A model of these virtual hosts (the very list given), every upstream they name with fresh endpoints. */
    static RouteModel model(List<VirtualHost> hosts, UpstreamKey defaultUpstream) {
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        hosts.forEach(host -> host.routes().forEach(route -> upstreams.put(route.upstreamKey(),
                upstream(route.upstreamKey()))));
        if (defaultUpstream != null) {
            upstreams.put(defaultUpstream, upstream(defaultUpstream));
        }
        return new RouteModel(hosts, upstreams, defaultUpstream, List.of(), 1);
    }

    @Test
    void aModelWithTheSameVirtualHostsKeepsEveryGuardAndForgetsTheModelBeforeThePrevious() {
        apply(model(null, new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS)));
        List<VirtualHost> hosts = List.of(host("a.example", new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));
        apply(model(hosts, FALLBACK));
        UpstreamGuard shop = guards.guard(new GuardKey(SHOP, WEB));
        UpstreamGuard fallback = guards.guard(GuardKey.ofDefault(FALLBACK));
        assertThat(guards.guard(new GuardKey(BLOG, API))).isNotNull();

        // An endpoint change: the translator hands over the same virtual hosts.
        apply(model(hosts, FALLBACK));

        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
        assertThat(guards.guard(GuardKey.ofDefault(FALLBACK))).isSameAs(fallback);
        assertThat(guards.policies()).containsOnlyKeys(new GuardKey(SHOP, WEB),
                GuardKey.ofDefault(FALLBACK));
        // Two models on, a request of the blog's model can no longer be in flight unswapped.
        assertThat(guards.guard(new GuardKey(BLOG, API))).isNull();
        assertThat(inflightLimit("shop", "web")).isEqualTo(1024);
    }

    @Test
    void onlyTheChangedVirtualHostsPairsAreReplaced() {
        VirtualHost a = host("a.example", new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS));
        VirtualHost b = host("b.example", new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS));
        apply(model(List.of(a, b), null));
        UpstreamGuard shop = guards.guard(new GuardKey(SHOP, WEB));
        UpstreamGuard blog = guards.guard(new GuardKey(BLOG, API));

        // The blog Ingress asks for a smaller bulkhead: its virtual host is a new one, the shop's is unchanged.
        VirtualHost changed = host("b.example", new RouteSpec(BLOG, API,
                new UpstreamPolicy(null, null, 3, null, null, null)));
        apply(model(List.of(a, changed), null));

        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
        UpstreamGuard replaced = guards.guard(new GuardKey(BLOG, API));
        assertThat(replaced).isNotSameAs(blog);
        assertThat(replaced.policy().maxConcurrentRequests()).isEqualTo(3);
        assertThat(inflightLimit("blog", "api")).isEqualTo(3);

        // An equal virtual host in a new instance (another path of the same Ingress added, say) keeps the guard.
        apply(model(List.of(a, host("b.example", new RouteSpec(BLOG, API,
                new UpstreamPolicy(null, null, 3, null, null, null)))), null));
        assertThat(guards.guard(new GuardKey(BLOG, API))).isSameAs(replaced);
        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
    }

    @Test
    void virtualHostsInsertedRemovedOrMovedAmongOthersChangeOnlyTheirOwnPairs() {
        IngressRef[] owners = new IngressRef[6];
        List<VirtualHost> hosts = new ArrayList<>();
        for (int i = 0; i < owners.length; i++) {
            owners[i] = new IngressRef("apps", "ing" + i);
            hosts.add(host("h" + i + ".example", new RouteSpec(owners[i], WEB, UpstreamPolicy.DEFAULTS)));
        }
        apply(model(List.copyOf(hosts), null));
        Map<GuardKey, UpstreamGuard> first = new HashMap<>();
        for (IngressRef owner : owners) {
            first.put(new GuardKey(owner, WEB), guards.guard(new GuardKey(owner, WEB)));
        }

        // A host inserted in the middle, one removed near the end, and two swapped: all others are the same objects.
        IngressRef inserted = new IngressRef("apps", "new");
        List<VirtualHost> next = new ArrayList<>(hosts);
        next.remove(4);
        next.add(2, host("hx.example", new RouteSpec(inserted, API, UpstreamPolicy.DEFAULTS)));
        VirtualHost swapped = next.remove(0);
        next.add(1, swapped);
        apply(model(List.copyOf(next), null));

        assertThat(guards.policies().keySet()).containsExactlyInAnyOrder(new GuardKey(owners[0], WEB),
                new GuardKey(owners[1], WEB), new GuardKey(owners[2], WEB), new GuardKey(owners[3], WEB),
                new GuardKey(owners[5], WEB), new GuardKey(inserted, API));
        for (int i : new int[] {0, 1, 2, 3, 5}) {
            assertThat(guards.guard(new GuardKey(owners[i], WEB))).isSameAs(first.get(new GuardKey(owners[i], WEB)));
        }
        assertThat(inflightLimit("ing4", "web")).isNaN();
        assertThat(inflightLimit("ing3", "web")).isEqualTo(1024);
        assertThat(guards.guard(new GuardKey(owners[4], WEB))).isSameAs(first.get(new GuardKey(owners[4], WEB)));
    }

    @Test
    void aPairNeededByTwoVirtualHostsLivesUntilTheLastOneLetsGoOfIt() {
        VirtualHost a = host("a.example", new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS));
        VirtualHost b = host("b.example", new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS),
                new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS));
        apply(model(List.of(a, b), null));
        UpstreamGuard shop = guards.guard(new GuardKey(SHOP, WEB));

        VirtualHost bWithoutShop = host("b.example", new RouteSpec(BLOG, API, UpstreamPolicy.DEFAULTS));
        apply(model(List.of(a, bWithoutShop), null));
        assertThat(guards.policies()).containsKey(new GuardKey(SHOP, WEB));
        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
        assertThat(inflightLimit("shop", "web")).isEqualTo(1024);

        apply(model(List.of(bWithoutShop), null));
        assertThat(guards.policies()).containsOnlyKeys(new GuardKey(BLOG, API));
        assertThat(inflightLimit("shop", "web")).isNaN();
        // Still found by a request matched to a route of the previous model.
        assertThat(guards.guard(new GuardKey(SHOP, WEB))).isSameAs(shop);
    }

    @Test
    void aNewModelDefaultRetiresTheOldOneUnlessAVirtualHostStillNeedsIt() {
        VirtualHost withDefault = new VirtualHost(HostMatch.of("a.example"), List.of(), OLD);
        List<VirtualHost> hosts = List.of(withDefault);
        apply(model(hosts, OLD));
        UpstreamGuard old = guards.guard(GuardKey.ofDefault(OLD));

        apply(model(hosts, NEW));
        assertThat(guards.policies()).containsOnlyKeys(GuardKey.ofDefault(OLD),
                GuardKey.ofDefault(NEW));
        assertThat(guards.guard(GuardKey.ofDefault(OLD))).isSameAs(old);

        apply(model(List.of(), NEW));
        assertThat(guards.policies()).containsOnlyKeys(GuardKey.ofDefault(NEW));
    }

    @Test
    void bulkheadNeverWaitsAndEveryPlaceComesBackOnce() {
        apply(model(null, new RouteSpec(SHOP, WEB, new UpstreamPolicy(null, null, 2, null, null, null))));
        UpstreamGuard guard = guards.guard(new GuardKey(SHOP, WEB));
        assertThat(guard.tryAcquireCircuit() && guard.tryEnterBulkhead()).isTrue();
        GuardedCall a = new GuardedCall(guard, true);
        assertThat(guard.tryAcquireCircuit() && guard.tryEnterBulkhead()).isTrue();
        GuardedCall b = new GuardedCall(guard, true);

        assertThat(guard.tryEnterBulkhead()).isFalse();
        assertThat(registry.find(UpstreamGuard.METER_PREFIX + "rejections").tag("ingress", "shop")
                .tag("reason", "bulkhead").counter().count()).isEqualTo(1);

        a.finish();
        a.finish(); // twice (error then cancellation, say): released once
        assertThat(guard.inFlight()).isEqualTo(1);
        b.finish();
        assertThat(guard.inFlight()).isZero();
    }

    @Test
    void guardsWithTheSameTimeoutsShareOneUpstreamClientWithThoseTimeouts() {
        UpstreamPolicy shortRead = new UpstreamPolicy(Duration.ofMillis(300), Duration.ofSeconds(2), null, null, null,
                null);
        apply(model(null, new RouteSpec(SHOP, WEB, null), new RouteSpec(BLOG, WEB, null),
                new RouteSpec(SHOP, API, shortRead), new RouteSpec(BLOG, API, shortRead)));
        HttpClient base = HttpClient.create();

        HttpClient shopWeb = guards.guard(new GuardKey(SHOP, WEB)).httpClient(base);
        HttpClient blogWeb = guards.guard(new GuardKey(BLOG, WEB)).httpClient(base);
        HttpClient shopApi = guards.guard(new GuardKey(SHOP, API)).httpClient(base);
        HttpClient blogApi = guards.guard(new GuardKey(BLOG, API)).httpClient(base);

        assertThat(blogWeb).isSameAs(shopWeb);
        assertThat(blogApi).isSameAs(shopApi).isNotSameAs(shopWeb);
        assertThat(shopWeb.configuration().options().get(ChannelOption.CONNECT_TIMEOUT_MILLIS)).isEqualTo(5000);
        assertThat(shopWeb.configuration().responseTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(shopApi.configuration().options().get(ChannelOption.CONNECT_TIMEOUT_MILLIS)).isEqualTo(300);
        assertThat(shopApi.configuration().responseTimeout()).isEqualTo(Duration.ofSeconds(2));
        // Another base client gets clients of its own.
        assertThat(guards.guard(new GuardKey(SHOP, WEB)).httpClient(HttpClient.create())).isNotSameAs(shopWeb);
    }

    @Test
    void callsAreCountedPerOutcomeAndScrapedAsPrometheusCounters() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UpstreamPolicy slowAfter100ms = new UpstreamPolicy(null, null, null, null, null, Duration.ofMillis(100));
        UpstreamGuard guard = new UpstreamGuard(new GuardKey(SHOP, WEB), GuardPolicy.resolve(slowAfter100ms, DEFAULTS),
                prometheus);
        long fast = Duration.ofMillis(5).toNanos();
        long slow = Duration.ofMillis(500).toNanos();

        guard.recordSuccess(fast);
        guard.recordSuccess(fast);
        guard.recordSuccess(slow);
        guard.recordFailure(fast, new IllegalStateException("refused"));

        String tags = "ingress=\"shop\",namespace=\"apps\",outcome=\"%s\",port=\"80\",service=\"web\"";
        assertThat(prometheus.scrape())
                .contains("ingress_gateway_upstream_circuit_calls_total{" + tags.formatted("success") + "} 2.0")
                .contains("ingress_gateway_upstream_circuit_calls_total{" + tags.formatted("slow_success") + "} 1.0")
                .contains("ingress_gateway_upstream_circuit_calls_total{" + tags.formatted("failure") + "} 1.0")
                .contains("ingress_gateway_upstream_circuit_calls_total{" + tags.formatted("slow_failure") + "} 0.0");

        guard.retire();
        assertThat(prometheus.scrape()).doesNotContain("ingress_gateway_upstream_circuit_calls_total");
    }
}
