package io.ingressgateway.model;

/**
 * One served path of one host: what a request must match, and the upstream it goes to.
 *
 * @param id       stable, unique in a model: derived from host, path type and path
 * @param host     the host this route belongs to
 * @param path     the path match
 * @param ingress  the Ingress that contributed the rule (the oldest one, when several claim it)
 * @param upstreamKey key of the {@link Upstream} in {@link RouteModel#upstreams()}
 * @param policy   how the Ingress asks its upstream to be guarded (timeouts, bulkhead, circuit breaker, retries)
 */
public record Route(String id, HostMatch host, PathMatch path, IngressRef ingress, String upstreamKey,
                    UpstreamPolicy policy) {

    public Route {
        policy = policy == null ? UpstreamPolicy.DEFAULTS : policy;
    }
}
