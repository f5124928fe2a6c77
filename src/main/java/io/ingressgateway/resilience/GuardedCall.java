package io.ingressgateway.resilience;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's hold on its upstream guard: a bulkhead place and a circuit permission, each given back exactly once
 * whatever happens to the request (completion, error, or the client going away).
 */
final class GuardedCall {

    /** Exchange attribute holding the request's {@link GuardedCall}. */
    static final String ATTR = GuardedCall.class.getName();

    private final UpstreamGuard guard;
    private final boolean holdsBulkhead;
    private final AtomicBoolean bulkheadReleased = new AtomicBoolean();
    private final AtomicBoolean circuitSettled = new AtomicBoolean();
    private volatile boolean responseStarted;

    GuardedCall(UpstreamGuard guard, boolean holdsBulkhead) {
        this.guard = guard;
        this.holdsBulkhead = holdsBulkhead;
    }

    UpstreamGuard guard() {
        return guard;
    }

    void recordSuccess(long nanos) {
        responseStarted = true;
        if (circuitSettled.compareAndSet(false, true)) {
            guard.recordSuccess(nanos);
        }
    }

    void recordFailure(long nanos, Throwable cause) {
        if (circuitSettled.compareAndSet(false, true)) {
            guard.recordFailure(nanos, cause);
        }
    }

    /** The call will not be judged (it never reached the upstream, or is a WebSocket session): no result. */
    void settleWithoutResult() {
        if (circuitSettled.compareAndSet(false, true)) {
            guard.releaseCircuit();
        }
    }

    void markResponseStarted() {
        responseStarted = true;
    }

    /** Whether the upstream's response has begun: later errors happen while streaming its body. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Gives back whatever the call still holds. Safe to call more than once. */
    void finish() {
        settleWithoutResult();
        if (holdsBulkhead && bulkheadReleased.compareAndSet(false, true)) {
            guard.leaveBulkhead();
        }
    }
}
