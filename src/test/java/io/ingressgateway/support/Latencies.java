package io.ingressgateway.support;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Latencies recorded from many threads into an array allocated up front, so recording allocates nothing (a test
 * that compares heap use before and after a load must not count its own measurements). Past its capacity it still
 * counts, and keeps the maximum, but stops storing samples for percentiles.
 */
public final class Latencies {

    private final long[] nanos;
    private final AtomicInteger count = new AtomicInteger();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);

    public Latencies(int capacity) {
        this.nanos = new long[capacity];
    }

    public void record(long elapsedNanos) {
        int index = count.getAndIncrement();
        if (index < nanos.length) {
            nanos[index] = elapsedNanos;
        }
        max.accumulate(elapsedNanos);
    }

    public int count() {
        return count.get();
    }

    public double maxMillis() {
        return max.get() / 1e6;
    }

    /** The given percentile (0 to 100) of the stored samples, in milliseconds; 0 when there are none. */
    public double percentileMillis(double percentile) {
        int stored = Math.min(count.get(), nanos.length);
        if (stored == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(nanos, stored);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * stored) - 1;
        return sorted[Math.max(0, Math.min(stored - 1, rank))] / 1e6;
    }

    /** "n=…, p50=…ms, p99=…ms, max=…ms". */
    public String summary() {
        return String.format(Locale.ROOT, "n=%d p50=%.1fms p99=%.1fms max=%.1fms", count(),
                percentileMillis(50), percentileMillis(99), maxMillis());
    }
}
