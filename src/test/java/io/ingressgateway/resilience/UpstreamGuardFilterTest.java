package io.ingressgateway.resilience;

import static io.ingressgateway.resilience.UpstreamGuardsTest.BLOG;
import static io.ingressgateway.resilience.UpstreamGuardsTest.DEFAULTS;
import static io.ingressgateway.resilience.UpstreamGuardsTest.SHOP;
import static io.ingressgateway.resilience.UpstreamGuardsTest.WEB;
import static io.ingressgateway.resilience.UpstreamGuardsTest.model;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.resilience.UpstreamGuardsTest.RouteSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The guard filter's per-route cache must answer exactly what a fresh lookup would: the route's current guard, a new
 * one after a policy change, the previous model's for a route not yet swapped out, none once the pair is gone.
 */
class UpstreamGuardFilterTest {

    final UpstreamGuards guards = new UpstreamGuards(DEFAULTS, new SimpleMeterRegistry());
    final UpstreamGuardFilter filter = new UpstreamGuardFilter(guards);
    final IngressRouteLocator locator = new IngressRouteLocator();

    List<ServedRoute> apply(RouteModel model) {
        guards.onModel(new PipelineState(null, model));
        locator.update(IngressRouteDefinitions.from(model));
        return locator.served();
    }

    static ServedRoute ruleOf(List<ServedRoute> routes, String ingressName) {
        return routes.stream().filter(r -> r.rule() != null && ingressName.equals(r.rule().ingress().name()))
                .findFirst().orElseThrow();
    }

    @Test
    void cachedGuardIsTheRoutesGuardAndFollowsPolicyChanges() {
        List<ServedRoute> routes = apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS),
                new RouteSpec(BLOG, WEB, UpstreamPolicy.DEFAULTS)));
        ServedRoute shop = ruleOf(routes, "shop");
        ServedRoute blog = ruleOf(routes, "blog");

        UpstreamGuard shopGuard = filter.guardOf(shop);
        assertThat(shopGuard).isSameAs(guards.guard(new GuardKey(SHOP, WEB)));
        assertThat(filter.guardOf(shop)).isSameAs(shopGuard);
        assertThat(filter.guardOf(blog)).isSameAs(guards.guard(new GuardKey(BLOG, WEB))).isNotSameAs(shopGuard);
        assertThat(filter.cachedRoutes()).as("served routes keep their guard themselves, nothing by id").isZero();

        // Shop's policy changes: its guard is replaced, and the cache must not keep answering the old one.
        UpstreamPolicy small = new UpstreamPolicy(null, Duration.ofSeconds(2), 10, null, null, null);
        routes = apply(model(null, new RouteSpec(SHOP, WEB, small), new RouteSpec(BLOG, WEB, UpstreamPolicy.DEFAULTS)));
        UpstreamGuard replaced = filter.guardOf(ruleOf(routes, "shop"));
        assertThat(replaced).isNotSameAs(shopGuard).isSameAs(guards.guard(new GuardKey(SHOP, WEB)));
        assertThat(replaced.policy().maxConcurrentRequests()).isEqualTo(10);
        // The route of the previous model, matched before the swap: what it kept is of the old generation.
        assertThat(filter.guardOf(shop)).isSameAs(replaced);
        // Blog's route is unchanged, the very same served route, and keeps its guard.
        assertThat(ruleOf(routes, "blog")).isSameAs(blog);
        assertThat(filter.guardOf(blog)).isSameAs(guards.guard(new GuardKey(BLOG, WEB)));
    }

    @Test
    void aRouteOfThePreviousModelKeepsItsGuardForOneGenerationOnly() {
        List<ServedRoute> first = apply(model(null, new RouteSpec(BLOG, WEB, UpstreamPolicy.DEFAULTS)));
        ServedRoute blog = ruleOf(first, "blog");
        UpstreamGuard blogGuard = filter.guardOf(blog);
        assertThat(blogGuard).isNotNull();

        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS)));
        // Matched before the gateway swapped its routes: still guarded, by the same guard.
        assertThat(filter.guardOf(blog)).isSameAs(blogGuard);

        apply(model(null, new RouteSpec(SHOP, WEB, UpstreamPolicy.DEFAULTS), new RouteSpec(SHOP, new UpstreamKey("apps", "api", "http"),
                UpstreamPolicy.DEFAULTS)));
        assertThat(filter.guardOf(blog)).isNull();
    }
}
