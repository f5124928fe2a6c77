package io.ingressgateway.model;

import java.util.List;
import java.util.Map;

/**
 * The whole routing state the data plane serves: the translator's output, immutable.
 *
 * <p>The identity contract: a model made after another keeps every part that did not change (a virtual host, a
 * report, an upstream, the TLS model, and each list or map of them when none of its elements changed) as the very same
 * instance, in the same order. Every consumer relies on it to do work in proportion to a change rather than to the
 * size of the model ({@link IdentityDiff}); equality is never weakened by it (an incremental translation equals one
 * from scratch).
 *
 * @param virtualHosts       one per distinct host pattern: exact hosts, then wildcards, then the any-host one
 * @param upstreams          every upstream a route or default refers to, by its key
 * @param defaultUpstreamKey where requests that match no virtual host go, or null for the controller's own 404
 * @param ingresses          one report per Ingress seen, served or not, sorted by namespace/name
 * @param revision           the snapshot revision this model was built from
 * @param tls                TLS hosts with their certificates, and HTTP to HTTPS redirects
 */
public record RouteModel(List<VirtualHost> virtualHosts, Map<UpstreamKey, Upstream> upstreams,
                         UpstreamKey defaultUpstreamKey,
                         List<IngressReport> ingresses, long revision, TlsModel tls) {

    public static final RouteModel EMPTY = new RouteModel(List.of(), Map.of(), null, List.of(), 0);

    public RouteModel {
        virtualHosts = List.copyOf(virtualHosts);
        upstreams = Map.copyOf(upstreams);
        ingresses = List.copyOf(ingresses);
        tls = tls == null ? TlsModel.EMPTY : tls;
    }

    /** A model without TLS. */
    public RouteModel(List<VirtualHost> virtualHosts, Map<UpstreamKey, Upstream> upstreams,
                      UpstreamKey defaultUpstreamKey,
                      List<IngressReport> ingresses, long revision) {
        this(virtualHosts, upstreams, defaultUpstreamKey, ingresses, revision, TlsModel.EMPTY);
    }
}
