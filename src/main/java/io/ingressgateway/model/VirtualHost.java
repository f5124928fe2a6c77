package io.ingressgateway.model;

import java.util.List;

/**
 * All routes of one host, merged from every Ingress that names it, in precedence order: longest path first, and
 * {@code EXACT} before {@code PREFIX} for the same path.
 *
 * @param defaultUpstreamKey where requests for this host that match no path go (the {@code spec.defaultBackend} of
 *                           the oldest Ingress contributing to this host that has one), or null for the
 *                           model's default
 */
public record VirtualHost(HostMatch host, List<Route> routes, UpstreamKey defaultUpstreamKey) {

    public VirtualHost {
        routes = List.copyOf(routes);
    }
}
