package io.ingressgateway.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.ingressgateway.model.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import reactor.netty.http.client.HttpClient;

/**
 * The guards of one upstream as used by one Ingress: a bulkhead (a semaphore that never waits), a count-based
 * circuit breaker, the timeouts to apply to its connections, and the meters that show them. Immutable in its
 * policy: a changed policy gets a new guard.
 */
public final class UpstreamGuard {

    /** Why a request was answered 503 by the gateway instead of going to the upstream. */
    public enum Rejection { BULKHEAD, CIRCUIT_OPEN, POOL }

    /** How a call to the upstream ended, for the circuit breaker's counts. */
    public enum Outcome { SUCCESS, FAILURE, SLOW_SUCCESS, SLOW_FAILURE }

    public enum TimeoutKind { CONNECT, READ }

    public static final String METER_PREFIX = "ingress.gateway.upstream.";

    private final GuardKey key;
    private final GuardPolicy policy;
    private final Tags tags;
    private final Bulkhead bulkhead;
    private final CircuitBreaker circuitBreaker;
    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
    /**
     * By {@link Outcome#ordinal()}; an array and the slow-call threshold in a field, so that recording a call, on
     * every request, reads this guard and its counter and nothing else of the guard's (all cold when requests are
     * spread over thousands of guards).
     */
    private final Counter[] outcomes = new Counter[Outcome.values().length];
    private final long slowCallNanos;
    private final Map<TimeoutKind, Counter> timeouts = new EnumMap<>(TimeoutKind.class);
    private final Counter retries;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private final GuardClients clients;
    private volatile ClientCache clientCache;

    private record ClientCache(HttpClient base, HttpClient guarded) {
    }

    UpstreamGuard(GuardKey key, GuardPolicy policy, Upstream upstream, MeterRegistry registry) {
        this(key, policy, upstream, registry, new GuardClients());
    }

    UpstreamGuard(GuardKey key, GuardPolicy policy, Upstream upstream, MeterRegistry registry,
                  GuardClients clients) {
        this.key = key;
        this.clients = clients;
        this.policy = policy;
        this.registry = registry;
        this.tags = tags(key, upstream);
        this.slowCallNanos = policy.slowCallDurationThreshold().toNanos();
        String name = key.toString();
        this.bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(policy.maxConcurrentRequests())
                // Never queue: a request over the cap is answered at once.
                .maxWaitDuration(Duration.ZERO)
                .writableStackTraceEnabled(false)
                .build());
        this.circuitBreaker = CircuitBreaker.of(name, circuitBreakerConfig(policy));

        meters.add(Gauge.builder(METER_PREFIX + "inflight", bulkhead, UpstreamGuard::inFlight)
                .description("Requests in flight to the upstream (held by its bulkhead)")
                .tags(tags).strongReference(true).register(registry));
        meters.add(Gauge.builder(METER_PREFIX + "inflight.limit", bulkhead,
                        b -> b.getBulkheadConfig().getMaxConcurrentCalls())
                .description("Cap on requests in flight to the upstream; more are answered 503")
                .tags(tags).strongReference(true).register(registry));
        for (CircuitBreaker.State state : new CircuitBreaker.State[] {
                CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN}) {
            meters.add(Gauge.builder(METER_PREFIX + "circuit.state", circuitBreaker,
                            cb -> cb.getState() == state ? 1 : 0)
                    .description("1 for the circuit breaker's current state, 0 for the others")
                    .tags(tags).tag("state", tagValue(state)).strongReference(true).register(registry));
        }
        meters.add(Gauge.builder(METER_PREFIX + "circuit.failure.rate", circuitBreaker,
                        cb -> cb.getMetrics().getFailureRate())
                .description("Percent of failed calls in the circuit breaker's window; -1 until it has enough calls")
                .tags(tags).strongReference(true).register(registry));
        meters.add(Gauge.builder(METER_PREFIX + "circuit.slow.call.rate", circuitBreaker,
                        cb -> cb.getMetrics().getSlowCallRate())
                .description("Percent of slow calls in the circuit breaker's window; -1 until it has enough calls")
                .tags(tags).strongReference(true).register(registry));
        for (Rejection rejection : Rejection.values()) {
            rejections.put(rejection, counter("rejections", "Requests answered 503 without reaching the upstream",
                    "reason", tagValue(rejection)));
        }
        for (Outcome outcome : Outcome.values()) {
            outcomes[outcome.ordinal()] = (counter("circuit.calls", "Calls recorded by the upstream's circuit breaker",
                    "outcome", tagValue(outcome)));
        }
        for (TimeoutKind kind : TimeoutKind.values()) {
            timeouts.put(kind, counter("timeouts", "Upstream connect and read timeouts", "kind", tagValue(kind)));
        }
        retries = counter("retries", "Requests retried on another endpoint after a connection failure", null, null);
    }

    static CircuitBreakerConfig circuitBreakerConfig(GuardPolicy policy) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(policy.slidingWindowSize())
                .minimumNumberOfCalls(policy.minimumNumberOfCalls())
                .failureRateThreshold(policy.failureRateThreshold())
                .slowCallRateThreshold(policy.slowCallRateThreshold())
                .slowCallDurationThreshold(policy.slowCallDurationThreshold())
                .waitDurationInOpenState(policy.waitDurationInOpenState())
                .permittedNumberOfCallsInHalfOpenState(policy.permittedCallsInHalfOpenState())
                // Half-open is entered by the first request after the wait: no timer thread per circuit.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
    }

    private Counter counter(String name, String description, String tagKey, String tagValue) {
        Counter.Builder builder = Counter.builder(METER_PREFIX + name).description(description).tags(tags);
        if (tagKey != null) {
            builder.tag(tagKey, tagValue);
        }
        Counter counter = builder.register(registry);
        meters.add(counter);
        return counter;
    }

    /** namespace, ingress (empty for a default backend), service and port. */
    static Tags tags(GuardKey key, Upstream upstream) {
        String namespace;
        String service;
        String port;
        if (upstream != null) {
            namespace = upstream.namespace();
            service = upstream.service();
            port = upstream.port();
        } else {
            // namespace/service:port
            String upstreamKey = key.upstreamKey();
            int slash = upstreamKey.indexOf('/');
            int colon = upstreamKey.lastIndexOf(':');
            namespace = slash > 0 ? upstreamKey.substring(0, slash) : "";
            service = colon > slash ? upstreamKey.substring(slash + 1, colon) : upstreamKey.substring(slash + 1);
            port = colon > slash ? upstreamKey.substring(colon + 1) : "";
        }
        return Tags.of("namespace", namespace, "ingress", key.ingress() == null ? "" : key.ingress().name(),
                "service", service, "port", port);
    }

    private static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static int inFlight(Bulkhead bulkhead) {
        return bulkhead.getBulkheadConfig().getMaxConcurrentCalls()
                - bulkhead.getMetrics().getAvailableConcurrentCalls();
    }

    public GuardKey key() {
        return key;
    }

    public GuardPolicy policy() {
        return policy;
    }

    /** Takes a place in the bulkhead, never waiting; false when it is full (the request is then counted rejected). */
    boolean tryEnterBulkhead() {
        if (bulkhead.tryAcquirePermission()) {
            return true;
        }
        reject(Rejection.BULKHEAD);
        return false;
    }

    void leaveBulkhead() {
        bulkhead.onComplete();
    }

    /** Whether the circuit lets a call through (false when open, or half-open with all probes taken). */
    boolean tryAcquireCircuit() {
        if (circuitBreaker.tryAcquirePermission()) {
            return true;
        }
        reject(Rejection.CIRCUIT_OPEN);
        return false;
    }

    /** Gives back a circuit permission without a result: the call never reached the upstream, or was abandoned. */
    void releaseCircuit() {
        circuitBreaker.releasePermission();
    }

    void recordSuccess(long nanos) {
        circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        outcomes[(isSlow(nanos) ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS).ordinal()].increment();
    }

    void recordFailure(long nanos, Throwable cause) {
        circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
        outcomes[(isSlow(nanos) ? Outcome.SLOW_FAILURE : Outcome.FAILURE).ordinal()].increment();
    }

    private boolean isSlow(long nanos) {
        return nanos > slowCallNanos;
    }

    void reject(Rejection reason) {
        rejections.get(reason).increment();
    }

    void timedOut(TimeoutKind kind) {
        timeouts.get(kind).increment();
    }

    void retried() {
        retries.increment();
    }

    public CircuitBreaker.State circuitState() {
        return circuitBreaker.getState();
    }

    public int inFlight() {
        return inFlight(bulkhead);
    }

    /** Seconds a client should wait before trying again, for {@code Retry-After}: at least 1. */
    long retryAfterOpenCircuitSeconds() {
        return Math.max(1, (policy.waitDurationInOpenState().toMillis() + 999) / 1000);
    }

    public float failureRate() {
        return circuitBreaker.getMetrics().getFailureRate();
    }

    public float slowCallRate() {
        return circuitBreaker.getMetrics().getSlowCallRate();
    }

    /**
     * The gateway's upstream client with this guard's connect and read timeouts ({@link GuardClients}), found once per
     * guard (and per base client), not per request.
     */
    HttpClient httpClient(HttpClient base) {
        ClientCache cache = clientCache;
        if (cache != null && cache.base() == base) {
            return cache.guarded();
        }
        HttpClient guarded = clients.of(base, policy);
        clientCache = new ClientCache(base, guarded);
        return guarded;
    }

    /** Removes this guard's meters: called when the guard leaves the model or is replaced. */
    void retire() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
    }
}
