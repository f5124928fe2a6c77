package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.model.policy.NextUpstream;
import io.ingressgateway.model.policy.UpstreamPolicy;
import java.time.Duration;

/**
 * The guards one upstream actually gets: an Ingress's {@link UpstreamPolicy} with every unset field filled from the
 * configured defaults. Two equal policies give equivalent guards, so a guard is replaced only when this changes.
 *
 * <p>The retry conditions default to ingress-nginx's {@code error timeout}; {@code nextUpstreamTimeout} is null when
 * retries have no time limit (ingress-nginx's default).
 */
public record GuardPolicy(Duration connectTimeout, Duration readTimeout, int maxConcurrentRequests, int retries,
                          float failureRateThreshold, Duration slowCallDurationThreshold,
                          float slowCallRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
                          Duration waitDurationInOpenState, int permittedCallsInHalfOpenState,
                          Duration sendTimeout, NextUpstream nextUpstream, Duration nextUpstreamTimeout) {

    public static GuardPolicy resolve(UpstreamPolicy overrides, Resilience defaults) {
        UpstreamPolicy policy = overrides == null ? UpstreamPolicy.DEFAULTS : overrides;
        Resilience.CircuitBreaker breaker = defaults.circuitBreaker();
        return new GuardPolicy(
                or(policy.connectTimeout(), defaults.connectTimeout()),
                or(policy.readTimeout(), defaults.readTimeout()),
                or(policy.maxConcurrentRequests(), defaults.maxConcurrentRequests()),
                or(policy.retries(), defaults.retries()),
                or(policy.circuitBreakerFailureRate(), breaker.failureRateThreshold()),
                or(policy.circuitBreakerSlowCallDuration(), breaker.slowCallDurationThreshold()),
                breaker.slowCallRateThreshold(),
                breaker.slidingWindowSize(),
                breaker.minimumNumberOfCalls(),
                breaker.waitDurationInOpenState(),
                breaker.permittedCallsInHalfOpenState(),
                or(policy.sendTimeout(), defaults.sendTimeout()),
                or(policy.nextUpstream(), NextUpstream.DEFAULT),
                policy.nextUpstreamTimeout());
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
