package io.ingressgateway.model.policy;

import java.util.List;

/**
 * The per-replica rate limits of an Ingress's routes, per client address, as ingress-nginx's {@code limit-*}
 * annotations ask for them (the local rate limit family). Like ingress-nginx's zones, the budget belongs to the
 * Ingress: every route of one Ingress draws on the same budget per client address, and two Ingresses never share one.
 * A zero limit is not applied.
 *
 * @param requestsPerSecond requests a client address may make per second ({@code limit-rps}), 0 for none
 * @param requestsPerMinute requests a client address may make per minute ({@code limit-rpm}), 0 for none; with
 *                          {@code requestsPerSecond} both apply
 * @param burstMultiplier   the burst of each request limit is its rate times this ({@code limit-burst-multiplier}):
 *                          that many requests beyond the rate are served at once, as nginx's {@code burst=... nodelay}
 * @param connections       requests a client address may have in progress at once ({@code limit-connections}), 0
 *                          for none
 * @param exemptCidrs       client address blocks the request and connection limits do not apply to
 *                          ({@code limit-whitelist}), each a validated CIDR block in canonical form
 *                          ({@code 10.0.0.0/8}, {@code 192.0.2.7/32})
 * @param responseRate      kilobytes per second a response is sent at, past {@code responseRateAfter}
 *                          ({@code limit-rate}, nginx's {@code limit_rate}), 0 for no limit; applies to every client
 * @param responseRateAfter kilobytes of a response sent before {@code responseRate} applies
 *                          ({@code limit-rate-after})
 */
public record RateLimitPolicy(int requestsPerSecond, int requestsPerMinute, int burstMultiplier, int connections,
                              List<String> exemptCidrs, int responseRate, int responseRateAfter)
        implements RoutePolicy {

    /** ingress-nginx's default {@code limit-burst-multiplier}. */
    public static final int DEFAULT_BURST_MULTIPLIER = 5;

    public RateLimitPolicy {
        if (requestsPerSecond < 0 || requestsPerMinute < 0 || burstMultiplier < 0 || connections < 0
                || responseRate < 0 || responseRateAfter < 0) {
            throw new IllegalArgumentException("rate limits must not be negative");
        }
        exemptCidrs = List.copyOf(exemptCidrs);
    }

    /** Whether any limit applies (else the policy asks for nothing). */
    public boolean limits() {
        return requestsPerSecond > 0 || requestsPerMinute > 0 || connections > 0 || responseRate > 0;
    }

    /** Whether a request rate is limited. */
    public boolean limitsRequests() {
        return requestsPerSecond > 0 || requestsPerMinute > 0;
    }
}
