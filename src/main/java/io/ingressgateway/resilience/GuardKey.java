package io.ingressgateway.resilience;

import io.ingressgateway.model.IngressRef;

/**
 * Identifies one set of guards: an upstream as used by one Ingress, so that two Ingresses sharing a Service do not
 * share a bulkhead or a circuit, and metrics say which Ingress suffers. Default backends, which belong to no single
 * Ingress, have a null {@code ingress}.
 */
public record GuardKey(IngressRef ingress, String upstreamKey) {

    public static GuardKey ofDefault(String upstreamKey) {
        return new GuardKey(null, upstreamKey);
    }

    @Override
    public String toString() {
        return (ingress == null ? "(default)" : ingress.toString()) + " -> " + upstreamKey;
    }
}
