package io.ingressgateway.model;

import io.ingressgateway.model.policy.RoutePolicies;

/**
 * One served path of one host: what a request must match, the upstream it goes to, and the policies its Ingress's
 * annotations ask for.
 *
 * @param id          stable, unique in a model: derived from host, path type and path
 * @param host        the host this route belongs to
 * @param path        the path match
 * @param ingress     the Ingress that contributed the rule (the oldest one, when several claim it)
 * @param upstreamKey the {@link Upstream} in {@link RouteModel#upstreams()} requests go to
 * @param policies    the typed policies of the route's Ingress, one per annotation family that set anything
 */
public record Route(String id, HostMatch host, PathMatch path, IngressRef ingress, UpstreamKey upstreamKey,
                    RoutePolicies policies) {

    public Route {
        policies = policies == null ? RoutePolicies.NONE : policies;
    }
}
