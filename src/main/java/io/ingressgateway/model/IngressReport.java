package io.ingressgateway.model;

import java.util.List;

/**
 * What the translator made of one Ingress: whether it is ours to serve, what went wrong, and the routes it produced.
 *
 * @param served   the Ingress belongs to our class (its rules are served and its status is ours to write)
 * @param reason   why it is or is not served (its class, in words)
 * @param routeIds ids of the routes in the model that came from this Ingress
 */
public record IngressReport(IngressRef ingress, boolean served, String reason, List<Diagnostic> diagnostics,
                            List<String> routeIds) {

    public IngressReport {
        diagnostics = List.copyOf(diagnostics);
        routeIds = List.copyOf(routeIds);
    }
}
