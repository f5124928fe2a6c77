package io.ingressgateway.model;

import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.Objects;

/**
 * Names one backend Service port as an Ingress writes it: the Service's namespace and name, and the port as a number
 * or a name. It identifies an {@link Upstream} across model revisions, so per-upstream state (balancer position,
 * guards) survives unrelated changes. Compared by its parts, never parsed from text.
 *
 * <p>{@code serviceAddress} tells the two ways one Service port can be reached apart: its ready endpoints (the pods,
 * balanced by the gateway), or its ClusterIP and port (an Ingress's {@code service-upstream}, balanced by the
 * cluster). They are distinct upstreams because {@code service-upstream} is an Ingress's choice while an upstream is
 * shared by every Ingress naming that Service port: two Ingresses on one Service, only one of them asking for the
 * ClusterIP, each get what they asked for, with a balancer position and guards of their own.
 *
 * @param port           the Service port as written in the Ingress: digits for a number, else its name
 * @param serviceAddress whether the upstream is the Service's ClusterIP and port rather than its endpoints
 */
public record UpstreamKey(String namespace, String service, String port, boolean serviceAddress) {

    public UpstreamKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
    }

    /** The Service port reached through its endpoints, as for every backend without {@code service-upstream}. */
    public UpstreamKey(String namespace, String service, String port) {
        this(namespace, service, port, false);
    }

    /**
     * The Service port an Ingress's {@code default-backend} annotation resolved to, or null when there is none (or
     * its Service does not exist).
     */
    public static UpstreamKey defaultBackendOf(ErrorPagePolicy policy) {
        return policy == null || policy.defaultBackendPort() == null ? null
                : new UpstreamKey(policy.defaultBackendNamespace(), policy.defaultBackend(), policy.defaultBackendPort());
    }

    /** The same Service port reached through the Service's ClusterIP. */
    public UpstreamKey atServiceAddress() {
        return serviceAddress ? this : new UpstreamKey(namespace, service, port, true);
    }

    /**
     * {@code namespace/service:port}, as logs, metrics and Actuator show it; {@code namespace/service:port@clusterIP}
     * for the Service's address.
     */
    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port + (serviceAddress ? "@clusterIP" : "");
    }
}
