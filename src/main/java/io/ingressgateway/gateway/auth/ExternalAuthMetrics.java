package io.ingressgateway.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ingress_gateway_external_auth_requests_total{outcome, source}}: what external authentication decided, and
 * whether the answer came from the auth service or the cache. Every tag value is fixed here, so no request can add
 * series.
 */
final class ExternalAuthMetrics {

    static final String REQUESTS = "ingress.gateway.external.auth.requests";

    /** What the client's request became. */
    enum Outcome {
        /** 2xx: the request went upstream. */
        ALLOWED,
        /** 401, or the sign-in redirect. */
        UNAUTHORIZED,
        /** 403. */
        FORBIDDEN,
        /** Another status, no answer or no answer in time: 500. */
        FAILED,
        /** The route's annotations could not be read: 503. */
        MISCONFIGURED
    }

    /** Where the decision came from. */
    enum Source {
        /** The auth service's answer. */
        AUTH_SERVICE,
        /** A cached answer ({@code auth-cache-key}). */
        CACHE,
        /** Nothing was asked: the route's configuration, or an auth URL that filled in to no URL. */
        NONE
    }

    private final Map<Source, Map<Outcome, Counter>> counters = new EnumMap<>(Source.class);

    /** @param registry where to count; null counts nothing */
    ExternalAuthMetrics(MeterRegistry registry) {
        if (registry == null) {
            return;
        }
        for (Source source : Source.values()) {
            Map<Outcome, Counter> bySource = new EnumMap<>(Outcome.class);
            for (Outcome outcome : Outcome.values()) {
                bySource.put(outcome, Counter.builder(REQUESTS)
                        .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                        .tag("source", source.name().toLowerCase(Locale.ROOT))
                        .description("Requests decided by external authentication").register(registry));
            }
            counters.put(source, bySource);
        }
    }

    void count(Outcome outcome, Source source) {
        Map<Outcome, Counter> bySource = counters.get(source);
        if (bySource != null) {
            bySource.get(outcome).increment();
        }
    }
}
