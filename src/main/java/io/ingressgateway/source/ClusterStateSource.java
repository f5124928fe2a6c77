package io.ingressgateway.source;

import java.util.function.Consumer;

/**
 * Where cluster state comes from: informers on an API server, or a directory of manifests.
 *
 * <p>{@link #start} begins delivering snapshots to the listener: first one complete snapshot once the initial sync
 * is done (every watched kind listed), then one after each change. Deliveries never overlap; a burst of changes may be
 * coalesced into one snapshot.
 */
public interface ClusterStateSource extends AutoCloseable {

    void start(Consumer<ClusterSnapshot> listener);

    /** Whether the first complete snapshot has been delivered. */
    boolean synced();

    /** A short name for logs and Actuator ({@code kubernetes}, {@code manifests:/path}). */
    String description();

    @Override
    void close();
}
