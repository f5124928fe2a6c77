package io.ingressgateway.resilience;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.ingressgateway.model.UpstreamKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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

    public enum TimeoutKind { CONNECT, READ, SEND }

    public static final String METER_PREFIX = "ingress.gateway.upstream.";

    private static final VarHandle SUCCESSES = field("successes");
    private static final VarHandle FAILURES = field("failures");
    private static final VarHandle SLOW_SUCCESSES = field("slowSuccesses");
    private static final VarHandle SLOW_FAILURES = field("slowFailures");

    private final GuardKey key;
    private final GuardPolicy policy;
    private final Tags tags;
    private final Bulkhead bulkhead;
    private final CircuitBreaker circuitBreaker;
    private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
    /**
     * Calls recorded, per {@link Outcome}: plain fields of the guard, read by the meters at scrape time. Recording a
     * call happens on every request and, with requests spread over thousands of guards, everything it touches is cold;
     * these share the guard's own memory, where a counter meter per outcome is two more objects to fetch.
     */
    private volatile long successes;
    private volatile long failures;
    private volatile long slowSuccesses;
    private volatile long slowFailures;
    private final long slowCallNanos;
    private final Map<TimeoutKind, Counter> timeouts = new EnumMap<>(TimeoutKind.class);
    private final Counter retries;
    private final List<Meter> meters = new ArrayList<>();
    private final MeterRegistry registry;
    private final GuardClients clients;
    /** The client of the latest base asked for, shared with the guards of equal timeouts. */
    private volatile GuardClients.Client client;

    UpstreamGuard(GuardKey key, GuardPolicy policy, MeterRegistry registry) {
        this(key, policy, registry, new GuardClients());
    }

    UpstreamGuard(GuardKey key, GuardPolicy policy, MeterRegistry registry, GuardClients clients) {
        this.key = key;
        this.clients = clients;
        this.policy = policy;
        this.registry = registry;
        this.tags = tags(key);
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
            meters.add(FunctionCounter.builder(METER_PREFIX + "circuit.calls", this, guard -> guard.calls(outcome))
                    .description("Calls recorded by the upstream's circuit breaker")
                    .tags(tags).tag("outcome", tagValue(outcome)).register(registry));
        }
        for (TimeoutKind kind : TimeoutKind.values()) {
            timeouts.put(kind, counter("timeouts", "Upstream connect, read and send timeouts", "kind", tagValue(kind)));
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
    static Tags tags(GuardKey key) {
        UpstreamKey upstream = key.upstreamKey();
        return Tags.of("namespace", upstream.namespace(), "ingress", key.ingress() == null ? "" : key.ingress().name(),
                "service", upstream.service(), "port", upstream.port());
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
        (isSlow(nanos) ? SLOW_SUCCESSES : SUCCESSES).getAndAdd(this, 1L);
    }

    void recordFailure(long nanos, Throwable cause) {
        circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
        (isSlow(nanos) ? SLOW_FAILURES : FAILURES).getAndAdd(this, 1L);
    }

    /** Calls recorded with this outcome since the guard was made. */
    long calls(Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> successes;
            case FAILURE -> failures;
            case SLOW_SUCCESS -> slowSuccesses;
            case SLOW_FAILURE -> slowFailures;
        };
    }

    private static VarHandle field(String name) {
        try {
            return MethodHandles.lookup().findVarHandle(UpstreamGuard.class, name, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
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
        GuardClients.Client kept = client;
        if (kept != null && kept.base() == base) {
            return kept.client();
        }
        kept = clients.of(base, policy);
        client = kept;
        return kept.client();
    }

    /** Removes this guard's meters: called when the guard leaves the model or is replaced. */
    void retire() {
        for (Meter meter : meters) {
            registry.remove(meter);
        }
    }
}
