package io.ingressgateway.model;

import java.util.Objects;

/**
 * Names one backend Service port as an Ingress writes it: the Service's namespace and name, and the port as a number
 * or a name. It identifies an {@link Upstream} across model revisions, so per-upstream state (balancer position,
 * guards) survives unrelated changes. Compared by its parts, never parsed from text.
 *
 * @param port the Service port as written in the Ingress: digits for a number, else its name
 */
public record UpstreamKey(String namespace, String service, String port) {

    public UpstreamKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
    }

    /** {@code namespace/service:port}, as logs, metrics and Actuator show it. */
    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
