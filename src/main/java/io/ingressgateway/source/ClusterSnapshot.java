package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.List;

/**
 * Every cluster object the gateway cares about, at one moment. Sources publish a new snapshot on every change;
 * nothing downstream may modify the objects it holds (they are shared with informer caches).
 *
 * @param secrets    Secrets certificates and annotations may be read from (from a cluster: those of type
 *                   {@value #TLS_SECRET_TYPE}, and Secrets of any type an Ingress annotation references)
 * @param configMaps ConfigMaps annotations may be read from (from a cluster: only those an Ingress annotation
 *                   references, such as {@code custom-headers})
 * @param revision   increases with every snapshot a source publishes
 */
public record ClusterSnapshot(List<Ingress> ingresses, List<IngressClass> ingressClasses, List<Service> services,
                              List<EndpointSlice> endpointSlices, List<Secret> secrets, List<ConfigMap> configMaps,
                              long revision) {

    /** The type of Secret a certificate is read from; a cluster source watches no other type. */
    public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

    public static final ClusterSnapshot EMPTY = new ClusterSnapshot(List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of(), 0);

    public ClusterSnapshot {
        ingresses = List.copyOf(ingresses);
        ingressClasses = List.copyOf(ingressClasses);
        services = List.copyOf(services);
        endpointSlices = List.copyOf(endpointSlices);
        secrets = List.copyOf(secrets);
        configMaps = List.copyOf(configMaps);
    }

    /** A snapshot without ConfigMaps (every test and tool written before they were read). */
    public ClusterSnapshot(List<Ingress> ingresses, List<IngressClass> ingressClasses, List<Service> services,
                           List<EndpointSlice> endpointSlices, List<Secret> secrets, long revision) {
        this(ingresses, ingressClasses, services, endpointSlices, secrets, List.of(), revision);
    }
}
