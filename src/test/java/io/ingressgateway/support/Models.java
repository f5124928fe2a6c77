package io.ingressgateway.support;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Route models made by hand, for data-plane tests that feed the listeners a model directly rather than through the
 * translator: terse builders that make ids and keys the way the translator does.
 */
public final class Models {

    /** The Ingress routes come from unless a test says otherwise. */
    public static final IngressRef INGRESS = new IngressRef("ns", "web");

    private Models() {
    }

    public static UpstreamKey key(String namespace, String service, String port) {
        return new UpstreamKey(namespace, service, port);
    }

    /** The translator's route id: host ({@code *} for any), path type and path. */
    public static String routeId(HostMatch host, PathMatch path) {
        return host + "|" + path.type() + "|" + path.path();
    }

    public static Route route(String host, PathMatch path, IngressRef ingress, UpstreamKey upstream,
                              RoutePolicy... policies) {
        HostMatch match = HostMatch.of(host);
        return new Route(routeId(match, path), match, path, ingress, upstream, RoutePolicies.of(policies));
    }

    /** A prefix route of {@link #INGRESS}. */
    public static Route prefix(String host, String path, UpstreamKey upstream, RoutePolicy... policies) {
        return route(host, PathMatch.prefix(path), INGRESS, upstream, policies);
    }

    public static VirtualHost virtualHost(String host, UpstreamKey defaultKey, Route... routes) {
        return new VirtualHost(HostMatch.of(host), List.of(routes), defaultKey);
    }

    /** A host whose prefix routes of {@link #INGRESS} all go to {@code ns/<host>:80}. */
    public static VirtualHost virtualHost(String host, String... paths) {
        UpstreamKey upstream = key("ns", host, "80");
        return new VirtualHost(HostMatch.of(host), Arrays.stream(paths).map(path -> prefix(host, path, upstream))
                .toList(), null);
    }

    public static Upstream upstream(UpstreamKey key, Endpoint... endpoints) {
        return new Upstream(key, Arrays.asList(endpoints), false);
    }

    public static RouteModel model(List<VirtualHost> hosts, UpstreamKey defaultKey, long revision,
                                   Upstream... upstreams) {
        return model(hosts, defaultKey, revision, TlsModel.EMPTY, upstreams);
    }

    public static RouteModel model(List<VirtualHost> hosts, UpstreamKey defaultKey, long revision, TlsModel tls,
                                   Upstream... upstreams) {
        Map<UpstreamKey, Upstream> byKey = new LinkedHashMap<>();
        for (Upstream upstream : upstreams) {
            byKey.put(upstream.key(), upstream);
        }
        return new RouteModel(hosts, byKey, defaultKey, List.of(), revision, tls);
    }

    /** What the pipeline hands listeners for a model made by hand. */
    public static PipelineState state(RouteModel model) {
        return new PipelineState(ClusterSnapshot.EMPTY, model);
    }
}
