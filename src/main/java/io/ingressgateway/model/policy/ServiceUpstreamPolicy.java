package io.ingressgateway.model.policy;

import java.util.Objects;

/**
 * An Ingress's {@code service-upstream}: its routes go to each Service's ClusterIP and port rather than to the
 * Service's endpoints. The translator applies it when resolving backends (the route's upstream key is the Service's
 * address, {@link io.ingressgateway.model.UpstreamKey#serviceAddress()}); the data plane needs nothing more.
 *
 * @param annotation the key that asked for it, for diagnostics about a Service without a ClusterIP
 */
public record ServiceUpstreamPolicy(String annotation) implements RoutePolicy {

    public ServiceUpstreamPolicy {
        Objects.requireNonNull(annotation, "annotation");
    }
}
