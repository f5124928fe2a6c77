package io.ingressgateway.gateway;

import io.ingressgateway.model.Endpoint;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Round-robin over an upstream's ready endpoints. The position is kept per upstream key, so it survives model
 * revisions that do not touch the upstream, and is dropped with the upstream.
 */
@Component
public class RoundRobinBalancer {

    private final ConcurrentHashMap<String, AtomicInteger> positions = new ConcurrentHashMap<>();

    /** The next endpoint of {@code endpoints} (not empty) for the upstream {@code key}. */
    public Endpoint next(String key, List<Endpoint> endpoints) {
        return next(position(key), endpoints);
    }

    /** The shared position of the upstream {@code key}, for callers that keep it at hand between requests. */
    AtomicInteger position(String key) {
        return positions.computeIfAbsent(key, k -> new AtomicInteger());
    }

    /** The next endpoint of {@code endpoints} (not empty) from a position got from {@link #position}. */
    static Endpoint next(AtomicInteger position, List<Endpoint> endpoints) {
        return endpoints.get(nextIndex(position, endpoints.size()));
    }

    /** The index of the next of {@code size} (positive) endpoints from a position got from {@link #position}. */
    static int nextIndex(AtomicInteger position, int size) {
        return Math.floorMod(position.getAndIncrement(), size);
    }

    /** Forgets upstreams that are no longer in the model. */
    void retain(Set<String> keys) {
        positions.keySet().retainAll(keys);
    }
}
