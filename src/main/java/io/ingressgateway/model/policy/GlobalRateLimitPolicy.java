package io.ingressgateway.model.policy;

import java.util.List;
import java.util.Objects;

/**
 * A rate limit shared by every gateway replica, from ingress-nginx's {@code global-rate-limit} annotations: at most
 * {@code limit} requests per {@code windowSeconds} for each value of the key, counted in a shared store (Redis here,
 * memcached in ingress-nginx) with ingress-nginx's sliding-window estimate. As in ingress-nginx, every path of the
 * Ingress counts against one counter per key value: the counter is the Ingress's, not the route's.
 *
 * @param limit         requests allowed per window and key value (at least 1)
 * @param windowSeconds the window, in whole seconds (at least 1; ingress-nginx truncates the duration to seconds)
 * @param key           what requests are counted by: nginx variables and text, as {@code upstream-hash-by} takes
 *                      them; {@code $remote_addr} (the client address) when the annotation is unset or unreadable
 * @param ignoredCidrs  client addresses and CIDR blocks (normalized, e.g. {@code 10.0.0.0/8}) never limited
 */
public record GlobalRateLimitPolicy(int limit, long windowSeconds, BalancePolicy.HashKey key,
                                    List<String> ignoredCidrs) implements RoutePolicy {

    public GlobalRateLimitPolicy {
        Objects.requireNonNull(key, "key");
        ignoredCidrs = List.copyOf(ignoredCidrs);
        if (limit < 1 || windowSeconds < 1) {
            throw new IllegalArgumentException("limit and window must be positive: " + limit + " per "
                    + windowSeconds + " s");
        }
    }
}
