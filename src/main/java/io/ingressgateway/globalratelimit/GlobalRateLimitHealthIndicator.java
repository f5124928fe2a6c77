package io.ingressgateway.globalratelimit;

import io.ingressgateway.config.IngressGatewayProperties.GlobalRateLimit.FailureMode;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Redis of the global rate limits, as the health contributor {@code globalRateLimit}: up while connected and
 * answering, down otherwise, saying what requests get meanwhile (the failure mode). Deliberately in no probe group
 * (application.yaml's liveness and readiness list theirs): a missing Redis degrades the limits, never the traffic,
 * so it must neither restart the gateway nor take it out of its Service. It shows in {@code /actuator/health} for
 * monitoring.
 */
public class GlobalRateLimitHealthIndicator implements HealthIndicator {

    private final RedisCounters counters;
    private final FailureMode failureMode;

    public GlobalRateLimitHealthIndicator(RedisCounters counters, FailureMode failureMode) {
        this.counters = counters;
        this.failureMode = failureMode;
    }

    @Override
    public Health health() {
        RedisCounters.Failure failure = counters.lastFailure();
        boolean connected = counters.connected();
        Health.Builder health = connected && failure == null ? Health.up() : Health.down();
        health.withDetail("redis", counters.address())
                .withDetail("connected", connected)
                .withDetail("failureMode", failureMode.name().toLowerCase(java.util.Locale.ROOT));
        if (failure != null) {
            health.withDetail("lastFailure", failure.message()).withDetail("lastFailureAt", failure.at().toString());
        }
        if (!connected || failure != null) {
            health.withDetail("requests", failureMode == FailureMode.OPEN
                    ? "served without their global rate limit" : "refused with 503");
        }
        return health.build();
    }
}
