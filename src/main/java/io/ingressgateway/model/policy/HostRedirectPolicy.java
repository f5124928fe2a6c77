package io.ingressgateway.model.policy;

import java.util.Objects;

/**
 * A route of the counterpart host of {@code from-to-www-redirect} ({@code www.example.com} for {@code example.com},
 * and the other way round): every request is answered with 308 to the same scheme, port, path and query on
 * {@code targetHost}, as ingress-nginx's redirect server does.
 *
 * @param targetHost the Ingress's rule host requests are sent to
 */
public record HostRedirectPolicy(String targetHost) implements RoutePolicy {

    public HostRedirectPolicy {
        Objects.requireNonNull(targetHost, "targetHost");
    }
}
