package io.ingressgateway.model;

import java.util.List;

/**
 * One backend Service port and the endpoints that serve it.
 *
 * @param key          which Service port this is
 * @param endpoints    ready endpoints; for an ExternalName Service, its DNS name and port; empty answers 503
 * @param externalName whether the endpoints are an ExternalName (resolved by DNS at connect time)
 */
public record Upstream(UpstreamKey key, List<Endpoint> endpoints, boolean externalName) {

    public Upstream {
        endpoints = List.copyOf(endpoints);
    }
}
