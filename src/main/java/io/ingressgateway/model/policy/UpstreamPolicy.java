package io.ingressgateway.model.policy;

import java.time.Duration;

/**
 * How an Ingress asks its upstreams to be guarded, from its annotations (the upstream guard family). A null field
 * means "not set": the configured default ({@code ingress-gateway.resilience.*}) applies. The translator fills it; the
 * resilience layer merges it with the defaults.
 *
 * @param connectTimeout                  time allowed to open a connection to an endpoint
 * @param readTimeout                     time allowed for the upstream's response to start
 * @param maxConcurrentRequests           cap on in-flight requests to this upstream (the bulkhead)
 * @param retries                         retries on connection failure, for idempotent methods
 * @param circuitBreakerFailureRate       failure rate, in percent, that opens the circuit
 * @param circuitBreakerSlowCallDuration  calls slower than this count as slow for the circuit breaker
 * @param sendTimeout                     longest the request may wait, unsent, for the upstream to take more of it
 * @param nextUpstream                    which failures and answers are retried on another endpoint
 * @param nextUpstreamTimeout             no retry starts this long after the first attempt did
 */
public record UpstreamPolicy(Duration connectTimeout, Duration readTimeout, Integer maxConcurrentRequests,
                             Integer retries, Float circuitBreakerFailureRate,
                             Duration circuitBreakerSlowCallDuration, Duration sendTimeout,
                             NextUpstream nextUpstream, Duration nextUpstreamTimeout) implements RoutePolicy {

    /** Nothing set: every guard takes its configured default. */
    public static final UpstreamPolicy DEFAULTS = new UpstreamPolicy(null, null, null, null, null, null, null, null, null);

    /** A policy that leaves the send timeout and the retry conditions to their defaults. */
    public UpstreamPolicy(Duration connectTimeout, Duration readTimeout, Integer maxConcurrentRequests,
                          Integer retries, Float circuitBreakerFailureRate, Duration circuitBreakerSlowCallDuration) {
        this(connectTimeout, readTimeout, maxConcurrentRequests, retries, circuitBreakerFailureRate,
                circuitBreakerSlowCallDuration, null, null, null);
    }
}
