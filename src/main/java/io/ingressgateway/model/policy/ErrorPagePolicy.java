package io.ingressgateway.model.policy;

import java.util.Set;
import java.util.TreeSet;

/**
 * An Ingress's {@code default-backend} and {@code custom-http-errors}, as ingress-nginx serves them: requests whose
 * Service has no ready endpoint go to the default backend (instead of a 503), and a response whose status is one of
 * the intercepted codes is replaced by the default backend's answer for that code.
 *
 * <p>The default backend's Service port is resolved by the translator (the family sees annotations only); it is held
 * as its parts, which {@code UpstreamKey.defaultBackendOf} turns into the model's key (policies may not depend on the
 * model they are part of).
 *
 * @param defaultBackendAnnotation the key naming the default backend, or null without one
 * @param defaultBackend           the Service the annotation names, or null
 * @param defaultBackendNamespace  the Service's namespace (the Ingress's), once resolved; else null
 * @param defaultBackendPort       the Service's first port number, once resolved; null while unresolved or when the
 *                                 Service does not exist (the annotation then has no effect)
 * @param interceptedCodes         statuses from 400 to 599 replaced by the error backend's answer; may be empty
 */
public record ErrorPagePolicy(String defaultBackendAnnotation, String defaultBackend, String defaultBackendNamespace,
                              String defaultBackendPort, Set<Integer> interceptedCodes) implements RoutePolicy {

    public ErrorPagePolicy {
        interceptedCodes = Set.copyOf(new TreeSet<>(interceptedCodes));
    }

    /** As the annotations ask, before the translator resolves the Service. */
    public ErrorPagePolicy(String defaultBackendAnnotation, String defaultBackend, Set<Integer> interceptedCodes) {
        this(defaultBackendAnnotation, defaultBackend, null, null, interceptedCodes);
    }

    /** The same policy with the default backend's Service port resolved. */
    public ErrorPagePolicy resolved(String namespace, String port) {
        return new ErrorPagePolicy(defaultBackendAnnotation, defaultBackend, namespace, port, interceptedCodes);
    }

    /** Whether a response with this status is replaced by the error backend's answer. */
    public boolean intercepts(int status) {
        return !interceptedCodes.isEmpty() && interceptedCodes.contains(status);
    }
}
