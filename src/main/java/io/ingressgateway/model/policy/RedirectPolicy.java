package io.ingressgateway.model.policy;

import java.util.Objects;

/**
 * A route answered by the gateway with a redirect instead of being proxied, as an Ingress's
 * {@code permanent-redirect} or {@code temporal-redirect} annotation asks (the redirect family): every request of the
 * route gets {@code status} and {@code Location: location}, exactly as written (ingress-nginx appends neither the
 * request's path nor its query).
 *
 * @param status   the redirect status, 300 to 308
 * @param location the absolute http or https URL the client is sent to
 */
public record RedirectPolicy(int status, String location) implements RoutePolicy {

    public RedirectPolicy {
        if (status < 300 || status > 308) {
            throw new IllegalArgumentException("a redirect status is between 300 and 308, not " + status);
        }
        Objects.requireNonNull(location, "location");
    }
}
