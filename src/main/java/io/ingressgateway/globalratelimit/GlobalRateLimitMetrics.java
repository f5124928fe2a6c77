package io.ingressgateway.globalratelimit;

import io.ingressgateway.config.IngressGatewayProperties.GlobalRateLimit.FailureMode;
import io.lettuce.core.RedisCommandTimeoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the global rate limits decided, and how often Redis could not answer:
 * {@code ingress_gateway_global_rate_limit_decisions_total{decision}} ({@code admitted}, {@code limited},
 * {@code exempt}, {@code failed_open}, {@code failed_closed}) and
 * {@code ingress_gateway_global_rate_limit_store_errors_total{reason}} ({@code unavailable}: no connection,
 * {@code timeout}: no answer within the operation timeout, {@code error}: anything else). No per-Ingress or per-client
 * tag: the number of series stays fixed whatever the traffic.
 */
public class GlobalRateLimitMetrics {

    public static final String DECISIONS = "ingress.gateway.global.rate.limit.decisions";
    public static final String STORE_ERRORS = "ingress.gateway.global.rate.limit.store.errors";

    private final Counter admitted;
    private final Counter limited;
    private final Counter exempt;
    private final Counter failedOpen;
    private final Counter failedClosed;
    private final Counter unavailable;
    private final Counter timeout;
    private final Counter error;

    public GlobalRateLimitMetrics(MeterRegistry registry) {
        admitted = decision(registry, "admitted");
        limited = decision(registry, "limited");
        exempt = decision(registry, "exempt");
        failedOpen = decision(registry, "failed_open");
        failedClosed = decision(registry, "failed_closed");
        unavailable = storeError(registry, "unavailable");
        timeout = storeError(registry, "timeout");
        error = storeError(registry, "error");
    }

    private static Counter decision(MeterRegistry registry, String decision) {
        return Counter.builder(DECISIONS).tag("decision", decision)
                .description("Requests of routes with a global rate limit, by what the limit decided")
                .register(registry);
    }

    private static Counter storeError(MeterRegistry registry, String reason) {
        return Counter.builder(STORE_ERRORS).tag("reason", reason)
                .description("Global rate limit checks Redis could not answer, by reason")
                .register(registry);
    }

    void admitted() {
        admitted.increment();
    }

    void limited() {
        limited.increment();
    }

    void exempt() {
        exempt.increment();
    }

    void storeFailed(Throwable failure, boolean connected, FailureMode mode) {
        if (failure instanceof RedisCommandTimeoutException) {
            timeout.increment();
        } else if (!connected || failure instanceof RedisCounters.StoreUnavailableException) {
            unavailable.increment();
        } else {
            error.increment();
        }
        (mode == FailureMode.CLOSED ? failedClosed : failedOpen).increment();
    }
}
