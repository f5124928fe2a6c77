package io.ingressgateway.resilience;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;

/**
 * Identifies one set of guards: an upstream as used by one Ingress, so that two Ingresses sharing a Service do not
 * share a bulkhead or a circuit, and metrics say which Ingress suffers. Default backends, which belong to no single
 * Ingress, have a null {@code ingress}.
 */
public record GuardKey(IngressRef ingress, UpstreamKey upstreamKey) {

    public static GuardKey ofDefault(UpstreamKey upstreamKey) {
        return new GuardKey(null, upstreamKey);
    }

    /** The guard of a served route: a rule's (Ingress, upstream), a default backend's; null for not-found. */
    public static GuardKey of(ServedRoute served) {
        return switch (served.kind()) {
            case RULE -> new GuardKey(served.rule().ingress(), served.upstreamKey());
            case DEFAULT -> ofDefault(served.upstreamKey());
            case NOT_FOUND -> null;
        };
    }

    @Override
    public String toString() {
        return (ingress == null ? "(default)" : ingress.toString()) + " -> " + upstreamKey;
    }
}
