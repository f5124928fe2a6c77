package io.ingressgateway.gateway.metrics;

import io.micrometer.core.instrument.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The requests of one route, status and method: their count, their total time and the longest of them in a time
 * window, all in the fields of this one object. {@link RouteTimerFilter} exposes it as a function timer (count and
 * total) and a gauge (the maximum), which Prometheus shows exactly as Micrometer's own timer: the same
 * {@code _count}, {@code _sum} and {@code _max} series.
 *
 * <p>Why not Micrometer's timer: recording into it updates a count and a total (one adder each) and a time-window
 * maximum (an object, an array and three atomic longs), eight objects in all. With requests spread over thousands of
 * routes, each of those is memory no recent request touched, and a fetch from memory on every request. Here a record
 * touches one object.
 *
 * <p>The maximum works as Micrometer's {@code TimeWindowMax}: three buffers, each keeping the longest request since it
 * was last cleared, one cleared in turn every rotation period (a Micrometer timer's "expiry": for the Prometheus
 * registry its step, one minute by default), so the one read has seen the last two to three periods.
 */
final class RequestTimer {

    /**
     * As many buffers as a Micrometer timer has by default ({@code DistributionStatisticConfig.DEFAULT}); the test
     * that compares this timer's maximum with Micrometer's would tell if that changed.
     */
    static final int BUFFERS = 3;

    private static final VarHandle COUNT = field("count");
    private static final VarHandle TOTAL_NANOS = field("totalNanos");
    private static final VarHandle MAX_0 = field("max0");
    private static final VarHandle MAX_1 = field("max1");
    private static final VarHandle MAX_2 = field("max2");

    private final int code;
    private final String method;
    private final Clock clock;
    private final long rotateEveryMillis;
    private volatile long count;
    private volatile long totalNanos;
    private volatile long max0;
    private volatile long max1;
    private volatile long max2;
    /** The buffer read (0 to 2): the one cleared longest ago. Changed under this object's lock. */
    private volatile int current;
    private volatile long lastRotateMillis;

    /**
     * For the requests answered with a status of {@link StatusTag#key} {@code code} to a method of
     * {@link MethodTag} value {@code method}.
     */
    RequestTimer(int code, String method, Clock clock, Duration rotateEvery) {
        this.code = code;
        this.method = method;
        this.clock = clock;
        this.rotateEveryMillis = Math.max(1, rotateEvery.toMillis());
        this.lastRotateMillis = clock.wallTime();
    }

    /** Records one request of {@code nanos}; negative durations are ignored, as Micrometer's timers do. */
    void record(long nanos) {
        if (nanos < 0) {
            return;
        }
        COUNT.getAndAdd(this, 1L);
        TOTAL_NANOS.getAndAdd(this, nanos);
        rotate();
        raise(MAX_0, nanos);
        raise(MAX_1, nanos);
        raise(MAX_2, nanos);
    }

    /** Whether this is the timer of requests with this status key and method tag. */
    boolean isFor(int code, String method) {
        return this.code == code && this.method.equals(method);
    }

    long count() {
        return count;
    }

    double totalNanos() {
        return totalNanos;
    }

    /** The longest request of the window, in seconds (Prometheus' base unit for time). */
    double maxSeconds() {
        rotate();
        long nanos = switch (current) {
            case 0 -> max0;
            case 1 -> max1;
            default -> max2;
        };
        return (double) nanos / TimeUnit.SECONDS.toNanos(1);
    }

    private void raise(VarHandle max, long nanos) {
        long seen = (long) max.getVolatile(this);
        while (nanos > seen) {
            long witness = (long) max.compareAndExchange(this, seen, nanos);
            if (witness == seen) {
                return;
            }
            seen = witness;
        }
    }

    /** Clears the buffer read and moves on to the next, once per elapsed rotation period, as Micrometer does. */
    private void rotate() {
        long now = clock.wallTime();
        if (now - lastRotateMillis < rotateEveryMillis) {
            return;
        }
        synchronized (this) {
            long elapsed = now - lastRotateMillis;
            if (elapsed < rotateEveryMillis) {
                return; // another thread rotated meanwhile
            }
            if (elapsed >= rotateEveryMillis * BUFFERS) {
                // Idle for the whole window: every buffer is clear, and periods count from the last one due.
                max0 = 0;
                max1 = 0;
                max2 = 0;
                current = 0;
                lastRotateMillis = now - elapsed % rotateEveryMillis;
                return;
            }
            do {
                switch (current) {
                    case 0 -> max0 = 0;
                    case 1 -> max1 = 0;
                    default -> max2 = 0;
                }
                current = (current + 1) % BUFFERS;
                elapsed -= rotateEveryMillis;
                lastRotateMillis += rotateEveryMillis;
            } while (elapsed >= rotateEveryMillis);
        }
    }

    private static VarHandle field(String name) {
        try {
            return MethodHandles.lookup().findVarHandle(RequestTimer.class, name, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
