package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers snapshots on one dedicated thread, never overlapping, coalescing bursts of change notifications.
 *
 * <p>A change notification schedules a rebuild unless one is already scheduled and not yet started. The flag is
 * cleared just before the snapshot is built, so a change arriving while a snapshot is being built or delivered
 * schedules exactly one more: no change is lost and a burst costs at most two rebuilds. Nothing sleeps, so a change
 * is delivered as soon as the thread is free.
 */
final class SnapshotDelivery implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SnapshotDelivery.class);

    /** Orders objects by namespace then name, so equal cluster states give equal snapshots. */
    static final Comparator<HasMetadata> BY_NAMESPACE_AND_NAME = Comparator
            .comparing((HasMetadata o) -> Objects.requireNonNullElse(o.getMetadata().getNamespace(), ""))
            .thenComparing(o -> Objects.requireNonNullElse(o.getMetadata().getName(), ""));

    private final String threadName;
    private final ExecutorService executor;
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile Thread deliveryThread;
    private volatile LongFunction<ClusterSnapshot> builder;
    private volatile Consumer<ClusterSnapshot> listener;
    private volatile boolean open;
    private volatile boolean delivered;
    private volatile boolean closed;
    /** Only touched on the delivery thread. */
    private long revision;

    SnapshotDelivery(String threadName) {
        this.threadName = threadName;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            deliveryThread = thread;
            return thread;
        });
    }

    /** Sets what builds a snapshot (given its revision) and who receives it. Nothing is delivered before {@link #open}. */
    void start(LongFunction<ClusterSnapshot> builder, Consumer<ClusterSnapshot> listener) {
        this.builder = Objects.requireNonNull(builder);
        this.listener = Objects.requireNonNull(listener);
    }

    /** The initial state is complete: deliver it, and every change from now on. */
    void open() {
        open = true;
        requestDelivery();
    }

    void requestDelivery() {
        if (!open || closed || !pending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::deliver);
        } catch (RejectedExecutionException e) {
            pending.set(false); // closing
        }
    }

    private void deliver() {
        pending.set(false);
        if (closed) {
            return;
        }
        ClusterSnapshot snapshot;
        try {
            snapshot = builder.apply(revision + 1);
        } catch (RuntimeException e) {
            log.error("Building a cluster snapshot failed; the next change retries", e);
            return;
        }
        revision = snapshot.revision();
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            log.error("Snapshot listener failed on revision {}", snapshot.revision(), e);
        }
        delivered = true;
    }

    /** Whether at least one snapshot has been handed to the listener. */
    boolean delivered() {
        return delivered;
    }

    /** Stops deliveries; waits briefly for one in progress unless called from the delivery thread itself. */
    @Override
    public void close() {
        closed = true;
        executor.shutdown();
        if (Thread.currentThread() == deliveryThread) {
            return;
        }
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("{} still delivering after 5 s; interrupting it", threadName);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    static <T extends HasMetadata> List<T> sorted(List<T> objects) {
        List<T> copy = new ArrayList<>(objects);
        copy.sort(BY_NAMESPACE_AND_NAME);
        return copy;
    }
}
