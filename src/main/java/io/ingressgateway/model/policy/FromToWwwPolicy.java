package io.ingressgateway.model.policy;

/**
 * That an Ingress set {@code from-to-www-redirect: "true"}: the translator serves the counterpart of each of its
 * exact rule hosts as a redirect to the rule host ({@link HostRedirectPolicy}). The data plane never reads it.
 *
 * @param annotation the annotation key it was read from, for diagnostics
 */
public record FromToWwwPolicy(String annotation) implements RoutePolicy {
}
