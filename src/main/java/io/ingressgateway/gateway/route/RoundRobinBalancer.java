package io.ingressgateway.gateway.route;

import io.ingressgateway.model.UpstreamKey;
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

    private final ConcurrentHashMap<UpstreamKey, AtomicInteger> positions = new ConcurrentHashMap<>();

    /** The shared position of the upstream {@code key}, which callers keep at hand between requests. */
    public AtomicInteger position(UpstreamKey key) {
        return positions.computeIfAbsent(key, k -> new AtomicInteger());
    }

    /** The index of the next of {@code size} (positive) endpoints from a position got from {@link #position}. */
    public static int nextIndex(AtomicInteger position, int size) {
        return Math.floorMod(position.getAndIncrement(), size);
    }

    /** Forgets upstreams that are no longer in the model. */
    void retain(Set<UpstreamKey> keys) {
        positions.keySet().retainAll(keys);
    }
}
