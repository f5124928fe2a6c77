package io.ingressgateway.gateway.balance;

import io.ingressgateway.model.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring over endpoints: each endpoint owns {@value #POINTS_PER_ENDPOINT} points placed by hashing its
 * address, and a key belongs to the endpoint owning the first point at or after the key's hash. Points depend only on
 * the endpoint's address and port, never on the list's order or size, so removing one of N endpoints moves only the
 * keys it owned (about 1/N) and adding one takes about 1/(N+1) of the keys, all from the others.
 */
public final class HashRing {

    /** Points per endpoint: enough that N endpoints share keys within a few percent of 1/N. */
    static final int POINTS_PER_ENDPOINT = 160;

    private final long[] points;
    /** The endpoint index owning each point of {@link #points}. */
    private final int[] owners;

    /** A ring over {@code endpoints} (not empty); {@link #owner} answers indexes into this list. */
    public HashRing(List<Endpoint> endpoints) {
        int size = endpoints.size() * POINTS_PER_ENDPOINT;
        long[] placed = new long[size];
        int at = 0;
        for (int e = 0; e < endpoints.size(); e++) {
            String name = endpoints.get(e).toString();
            for (int p = 0; p < POINTS_PER_ENDPOINT; p++) {
                placed[at++] = hash(name + "#" + p);
            }
        }
        points = new long[size];
        owners = new int[size];
        // Positions sorted by point (built once per route and model, so boxing here costs nothing per request).
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byPoint = Long.compareUnsigned(placed[a], placed[b]);
            // Equal points (astronomically rare) go to the endpoint whose address sorts first, whatever the order.
            return byPoint != 0 ? byPoint
                    : endpoints.get(a / POINTS_PER_ENDPOINT).toString()
                            .compareTo(endpoints.get(b / POINTS_PER_ENDPOINT).toString());
        });
        for (int i = 0; i < size; i++) {
            points[i] = placed[order[i]];
            owners[i] = order[i] / POINTS_PER_ENDPOINT;
        }
    }

    /** The index of the endpoint owning {@code keyHash} (a {@link #hash} value). */
    public int owner(long keyHash) {
        int low = 0;
        int high = points.length - 1;
        if (Long.compareUnsigned(keyHash, points[high]) > 0) {
            return owners[0];
        }
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (Long.compareUnsigned(points[mid], keyHash) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return owners[low];
    }

    /** A well-spread 64-bit hash of the text's UTF-8 bytes (FNV-1a, then MurmurHash3's finalizer). */
    public static long hash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
