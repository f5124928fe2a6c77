package io.ingressgateway.gateway.metrics;

import io.prometheus.metrics.model.snapshots.Labels;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The requests of one label set ({@code namespace}, {@code ingress}, {@code service}, {@code host}, {@code status},
 * {@code method}): the bucket counts and sums of its four histograms, all in one {@code long[]}, so recording a request
 * touches this object and that array, nothing else. {@link RequestMetrics} reads them at scrape time and exposes them
 * as Prometheus histograms and a counter; nothing is registered per series in Micrometer.
 *
 * <p>Buckets are kept non-cumulative (one increment per observation, into the bucket it falls in); the scrape adds
 * them up. The request count is the sum of the duration buckets, so the counter and the histograms' {@code _count}
 * agree in one scrape. Counts are atomic adds on the array's elements: requests of one series may come from several
 * event loops at once.
 */
final class RequestSeries {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int DURATION_SUM = 0;
    private static final int REQUEST_SIZE_SUM = 1;
    private static final int RESPONSE_SIZE_SUM = 2;
    private static final int UPSTREAM_SUM = 3;
    static final int DURATION = 4;
    static final int REQUEST_SIZE = DURATION + RequestBuckets.TIME_NANOS.length + 1;
    static final int RESPONSE_SIZE = REQUEST_SIZE + RequestBuckets.LENGTH_BYTES.length + 1;
    static final int UPSTREAM = RESPONSE_SIZE + RequestBuckets.LENGTH_BYTES.length + 1;
    private static final int SIZE = UPSTREAM + RequestBuckets.TIME_NANOS.length + 1;

    private final int code;
    private final String method;
    /** The series' labels, built once: a scrape reads them as they are. */
    private final Labels labels;
    private final long[] counts = new long[SIZE];

    /**
     * @param code   the {@link StatusTag#key} of the requests' status
     * @param method the {@link MethodTag} of their method
     */
    RequestSeries(int code, String method, Labels labels) {
        this.code = code;
        this.method = method;
        this.labels = labels;
    }

    /** Whether this is the series of requests with this status key and method tag (a tag constant, compared first). */
    boolean isFor(int code, String method) {
        return this.code == code && (this.method == method || this.method.equals(method));
    }

    /**
     * Records one request.
     *
     * @param durationNanos     from the gateway's first look at the request to its response's end
     * @param requestBytes      the request's size (head and body), or negative when unknown
     * @param responseBytes     the response's size (head and body), or negative when unknown
     * @param upstreamNanos     from the first upstream attempt to the response's end; negative when no upstream was
     *                          asked
     */
    void record(long durationNanos, long requestBytes, long responseBytes, long upstreamNanos) {
        long duration = Math.max(0, durationNanos);
        add(DURATION + bucket(RequestBuckets.TIME_NANOS, duration), 1);
        add(DURATION_SUM, duration);
        long request = Math.max(0, requestBytes);
        add(REQUEST_SIZE + bucket(RequestBuckets.LENGTH_BYTES, request), 1);
        add(REQUEST_SIZE_SUM, request);
        long response = Math.max(0, responseBytes);
        add(RESPONSE_SIZE + bucket(RequestBuckets.LENGTH_BYTES, response), 1);
        add(RESPONSE_SIZE_SUM, response);
        if (upstreamNanos >= 0) {
            add(UPSTREAM + bucket(RequestBuckets.TIME_NANOS, upstreamNanos), 1);
            add(UPSTREAM_SUM, upstreamNanos);
        }
    }

    /** The index of the first bound not below {@code value}, or the bounds' length for the {@code +Inf} bucket. */
    private static int bucket(long[] bounds, long value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        return i;
    }

    private void add(int slot, long amount) {
        SLOT.getAndAdd(counts, slot, amount);
    }

    Labels labels() {
        return labels;
    }

    /** The non-cumulative counts of the histogram starting at {@code first} ({@code buckets} of them, +Inf last). */
    long[] buckets(int first, int buckets) {
        long[] copy = new long[buckets];
        for (int i = 0; i < buckets; i++) {
            copy[i] = (long) SLOT.getVolatile(counts, first + i);
        }
        return copy;
    }

    double durationSumSeconds() {
        return (long) SLOT.getVolatile(counts, DURATION_SUM) / 1e9;
    }

    double upstreamSumSeconds() {
        return (long) SLOT.getVolatile(counts, UPSTREAM_SUM) / 1e9;
    }

    double requestBytesSum() {
        return (long) SLOT.getVolatile(counts, REQUEST_SIZE_SUM);
    }

    double responseBytesSum() {
        return (long) SLOT.getVolatile(counts, RESPONSE_SIZE_SUM);
    }
}
