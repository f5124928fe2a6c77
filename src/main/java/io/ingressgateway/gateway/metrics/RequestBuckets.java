package io.ingressgateway.gateway.metrics;

import java.util.Arrays;

/**
 * The histogram buckets of the request metrics: ingress-nginx's defaults, so that a dashboard's quantiles and its
 * "share of requests under 250 ms" read the same here as there. Its {@code --time-buckets} (Prometheus' default
 * buckets, 5 ms to 10 s) for request and upstream durations, its {@code --length-buckets} (10 to 100 bytes by 10) for
 * request and response sizes. Fixed arrays, searched from the start: most requests fall in the first few.
 */
final class RequestBuckets {

    /** Upper bounds of the duration buckets, in seconds (as exported). */
    static final double[] TIME_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** The same bounds in nanoseconds, as durations are recorded. */
    static final long[] TIME_NANOS = Arrays.stream(TIME_SECONDS).mapToLong(s -> Math.round(s * 1e9)).toArray();
    /** Upper bounds of the size buckets, in bytes. */
    static final long[] LENGTH_BYTES = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    static final double[] LENGTH = Arrays.stream(LENGTH_BYTES).asDoubleStream().toArray();

    private RequestBuckets() {
    }

    /** The bounds with {@code +Inf} appended, as a Prometheus classic histogram lists them. */
    static double[] withInfinity(double[] bounds) {
        double[] all = Arrays.copyOf(bounds, bounds.length + 1);
        all[bounds.length] = Double.POSITIVE_INFINITY;
        return all;
    }
}
