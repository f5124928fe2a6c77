package io.ingressgateway.model;

import java.util.List;
import java.util.Set;

/**
 * What HTTPS needs from the translated Ingresses: the certificate of each TLS host, and which HTTP requests are
 * redirected to HTTPS.
 *
 * @param hosts            one per distinct TLS host pattern, in the order virtual hosts are listed
 * @param redirectRouteIds ids of the routes whose HTTP requests are redirected to HTTPS
 * @param redirectHosts    hosts whose HTTP requests matching none of their routes are redirected to HTTPS
 */
public record TlsModel(List<TlsHost> hosts, Set<String> redirectRouteIds, Set<HostMatch> redirectHosts) {

    public static final TlsModel EMPTY = new TlsModel(List.of(), Set.of(), Set.of());

    public TlsModel {
        hosts = List.copyOf(hosts);
        redirectRouteIds = Set.copyOf(redirectRouteIds);
        redirectHosts = Set.copyOf(redirectHosts);
    }
}
