package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.BackendProtocolPolicy.Protocol;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * Each route's transport is worked out once and shared by every route asking the same: plain HTTP routes keep the
 * guard's client untouched, a TLS context is built once per distinct policy (and name, when the name matters), and a
 * client is derived once per base client.
 */
class UpstreamTransportsTest {

    static final UpstreamKey WEB = new UpstreamKey("shop", "web", "443");
    static final UpstreamKey API = new UpstreamKey("shop", "api", "443");
    static final UpstreamTlsPolicy FAILING_CLOSED = UpstreamTlsPolicy.DEFAULTS.withMaterial(List.of(), null)
            .unusable("test: no CA");

    final UpstreamTransports transports = new UpstreamTransports();
    final HttpClient base = HttpClient.create();

    record Spec(String ingress, UpstreamKey upstream, RoutePolicy... policies) {
    }

    static List<ServedRoute> served(Spec... specs) {
        List<Route> routes = new ArrayList<>();
        Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
        for (int i = 0; i < specs.length; i++) {
            Spec spec = specs[i];
            routes.add(new Route("r" + i, HostMatch.of("h.example"), PathMatch.prefix("/p" + i),
                    new IngressRef("shop", spec.ingress()), spec.upstream(), RoutePolicies.of(spec.policies())));
            upstreams.put(spec.upstream(), new Upstream(spec.upstream(), List.of(), false));
        }
        RouteModel model = new RouteModel(List.of(new VirtualHost(HostMatch.of("h.example"), routes, null)),
                upstreams, null, List.of(), 1);
        IngressRouteLocator locator = new IngressRouteLocator();
        locator.update(IngressRouteDefinitions.from(model));
        List<ServedRoute> served = new ArrayList<>();
        for (int i = 0; i < specs.length; i++) {
            String id = "r" + i;
            served.add(locator.served().stream().filter(r -> r.rule() != null && r.rule().id().equals(id))
                    .findFirst().orElseThrow());
        }
        return served;
    }

    @Test
    void plainHttpRoutesHaveNoTransportAndKeepTheGuardsClient() {
        List<ServedRoute> routes = served(new Spec("a", WEB), new Spec("b", WEB,
                new BackendProtocolPolicy(Protocol.HTTP)));

        assertThat(transports.of(routes.get(0))).isNull();
        assertThat(transports.of(routes.get(1))).isNull();
    }

    @Test
    void routesAskingTheSameShareOneTransportAndOneDerivedClient() {
        BackendProtocolPolicy https = new BackendProtocolPolicy(Protocol.HTTPS);
        List<ServedRoute> routes = served(new Spec("a", WEB, https), new Spec("b", API, https),
                new Spec("c", WEB, https, FAILING_CLOSED), new Spec("d", API, https, FAILING_CLOSED),
                new Spec("e", WEB, new BackendProtocolPolicy(Protocol.GRPC)));

        UpstreamTransport unverified = transports.of(routes.get(0));
        assertThat(transports.of(routes.get(0))).isSameAs(unverified);
        assertThat(transports.of(routes.get(1))).as("without verification or SNI the Service's name does not matter")
                .isSameAs(unverified);
        assertThat(transports.of(routes.get(2))).isNotSameAs(unverified);
        assertThat(transports.of(routes.get(3))).as("the name matters: each Service has its own")
                .isNotSameAs(transports.of(routes.get(2)));

        HttpClient client = unverified.client(base);
        assertThat(unverified.client(base)).as("derived once per base client").isSameAs(client);
        assertThat(client.configuration().isSecure()).isTrue();
        assertThat(client.configuration().protocols()).containsExactly(HttpProtocol.HTTP11);

        HttpClient grpc = transports.of(routes.get(4)).client(base);
        assertThat(grpc.configuration().isSecure()).isFalse();
        assertThat(grpc.configuration().protocols()).containsExactly(HttpProtocol.H2C);
    }

    @Test
    void theExpectedNameIsProxySslNameElseTheServicesClusterName() {
        UpstreamTlsPolicy named = new UpstreamTlsPolicy(null, true, "pinned.example", false, 1, List.of(), List.of(),
                null, null);

        assertThat(UpstreamTransports.expectedName(named, WEB)).isEqualTo("pinned.example");
        assertThat(UpstreamTransports.expectedName(UpstreamTlsPolicy.DEFAULTS, WEB)).isEqualTo("web.shop.svc");
    }
}
