package io.ingressgateway.model;

import java.util.List;

/**
 * One backend Service port and the endpoints that serve it. The key ({@code namespace/service:port}) identifies it
 * across model revisions, so per-upstream state (balancer position, guards) survives unrelated changes.
 *
 * @param key        {@code namespace/service:port}, with the port as written in the Ingress (number or name)
 * @param namespace  the Service's namespace
 * @param service    the Service's name
 * @param port       the Service port as written in the Ingress (number or name)
 * @param endpoints  ready endpoints; for an ExternalName Service, its DNS name and port; empty answers 503
 * @param externalName whether the endpoints are an ExternalName (resolved by DNS at connect time)
 */
public record Upstream(String key, String namespace, String service, String port, List<Endpoint> endpoints,
                       boolean externalName) {

    public Upstream {
        endpoints = List.copyOf(endpoints);
    }

    public static String key(String namespace, String service, String port) {
        return namespace + "/" + service + ":" + port;
    }
}
