package io.ingressgateway.model.policy;

import io.ingressgateway.model.UpstreamKey;
import java.util.Set;
import java.util.TreeSet;

/**
 * An Ingress's {@code default-backend} and {@code custom-http-errors}, as ingress-nginx serves them: requests whose
 * Service has no ready endpoint go to the default backend (instead of a 503), and a response whose status is one of
 * the intercepted codes is replaced by the default backend's answer for that code.
 *
 * @param defaultBackendAnnotation the key naming the default backend, or null without one
 * @param defaultBackend           the Service the annotation names (in the Ingress's namespace), or null
 * @param defaultBackendKey        that Service's first port, as resolved by the translator; null while unresolved
 *                                 or when the Service does not exist (the annotation then has no effect)
 * @param interceptedCodes         statuses from 400 to 599 replaced by the error backend's answer; may be empty
 */
public record ErrorPagePolicy(String defaultBackendAnnotation, String defaultBackend, UpstreamKey defaultBackendKey,
                              Set<Integer> interceptedCodes) implements RoutePolicy {

    public ErrorPagePolicy {
        interceptedCodes = Set.copyOf(new TreeSet<>(interceptedCodes));
    }

    /** The same policy with the default backend's Service port resolved (null: unknown Service). */
    public ErrorPagePolicy withDefaultBackendKey(UpstreamKey key) {
        return new ErrorPagePolicy(defaultBackendAnnotation, defaultBackend, key, interceptedCodes);
    }

    /** Whether a response with this status is replaced by the error backend's answer. */
    public boolean intercepts(int status) {
        return !interceptedCodes.isEmpty() && interceptedCodes.contains(status);
    }
}
