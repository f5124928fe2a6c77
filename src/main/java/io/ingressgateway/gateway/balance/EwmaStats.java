package io.ingressgateway.gateway.balance;

import java.util.function.LongSupplier;

/**
 * One endpoint's peak-EWMA of response latency, as ingress-nginx's {@code ewma} balancer keeps it: each response's
 * latency moves the average by a weight that grows with the time since the last update ({@code 1 - e^(-elapsed/decay)}),
 * and when scoring, the average decays toward zero over that time, so an endpoint that was slow gets tried again once
 * its record ages. The score also counts the requests in flight to the endpoint ({@code average * (in flight + 1)}),
 * so an endpoint that is slow right now is penalized before its responses arrive.
 */
final class EwmaStats {

    /** ingress-nginx's decay time: 10 seconds. */
    static final long DECAY_NANOS = 10_000_000_000L;

    private final LongSupplier clock;
    private double average;
    private long touchedAt;
    private int inFlight;

    /**
     * @param clock          nanoseconds, monotonic ({@link System#nanoTime} outside tests)
     * @param initialAverage where the average starts: 0 for a new upstream; for an endpoint added to an upstream
     *                       with history, the mean of the others' (ingress-nginx's slow start, so a new endpoint is
     *                       not flooded for looking unloaded)
     */
    EwmaStats(LongSupplier clock, double initialAverage) {
        this.clock = clock;
        this.average = initialAverage;
        this.touchedAt = clock.getAsLong();
    }

    /** The cost of sending one more request here now: lower is better. */
    synchronized double score() {
        long now = clock.getAsLong();
        double decayed = average * decay(now - touchedAt);
        // Unsampled endpoints (average 0) still rank by what is in flight to them.
        return Math.max(decayed, 1.0) * (inFlight + 1);
    }

    synchronized void started() {
        inFlight++;
    }

    /** A response took {@code latencyNanos}: the average moves toward it. */
    synchronized void finished(long latencyNanos) {
        inFlight = Math.max(0, inFlight - 1);
        long now = clock.getAsLong();
        double weight = decay(now - touchedAt);
        average = average * weight + Math.max(0, latencyNanos) * (1 - weight);
        touchedAt = now;
    }

    synchronized double average() {
        return average;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    private static double decay(long elapsedNanos) {
        return Math.exp(-(double) Math.max(0, elapsedNanos) / DECAY_NANOS);
    }
}
