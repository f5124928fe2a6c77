package io.ingressgateway.edge;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Tells whether the gateway's event loops still run their tasks. Every check interval it hands each loop a no-op
 * task, at most one outstanding per loop, from its own timer thread (never from a loop it watches). A loop's stall is
 * how long its outstanding task has been waiting, or, when none is waiting, how long the last one waited.
 *
 * <p>Reading the state ({@link #status()}) never blocks and never touches a loop, so the liveness probe answers even
 * when every watched loop is stuck.
 */
public final class EventLoopWatchdog implements AutoCloseable {

    /**
     * @param stalled       loops whose stall exceeds the timeout, by name, with their stall
     * @param worstStall    the longest stall over all loops
     * @param worstByGroup  the longest stall per group of loops
     */
    public record Status(boolean responsive, Map<String, Duration> stalled, Duration worstStall,
                         Map<String, Duration> worstByGroup, Duration stallTimeout) {
    }

    private static final long NONE = Long.MIN_VALUE;

    private final List<Loop> loops = new ArrayList<>();
    private final List<String> groups = new ArrayList<>();
    private final Duration checkInterval;
    private final Duration stallTimeout;
    private final LongSupplier nanoClock;
    private ScheduledExecutorService timer;

    public EventLoopWatchdog(Map<String, ? extends EventLoopGroup> groups, Duration checkInterval,
                             Duration stallTimeout) {
        this(groups, checkInterval, stallTimeout, System::nanoTime);
    }

    EventLoopWatchdog(Map<String, ? extends EventLoopGroup> groups, Duration checkInterval, Duration stallTimeout,
                      LongSupplier nanoClock) {
        this.checkInterval = checkInterval;
        this.stallTimeout = stallTimeout;
        this.nanoClock = nanoClock;
        groups.forEach((name, group) -> {
            this.groups.add(name);
            int index = 0;
            for (EventExecutor executor : group) {
                loops.add(new Loop(name, name + "#" + index++, executor));
            }
        });
    }

    public synchronized void start() {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "event-loop-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        long period = checkInterval.toNanos();
        timer.scheduleAtFixedRate(this::check, 0, period, TimeUnit.NANOSECONDS);
    }

    /** Hands every loop without an outstanding task a new one. Runs on the timer thread. */
    void check() {
        long now = nanoClock.getAsLong();
        for (Loop loop : loops) {
            loop.probe(now);
        }
    }

    public Status status() {
        long now = nanoClock.getAsLong();
        Map<String, Duration> stalled = new LinkedHashMap<>();
        Map<String, Duration> worstByGroup = new LinkedHashMap<>();
        for (String group : groups) {
            worstByGroup.put(group, Duration.ZERO);
        }
        Duration worst = Duration.ZERO;
        for (Loop loop : loops) {
            Duration stall = Duration.ofNanos(loop.stallNanos(now));
            if (stall.compareTo(stallTimeout) > 0) {
                stalled.put(loop.name, stall);
            }
            if (stall.compareTo(worst) > 0) {
                worst = stall;
            }
            if (stall.compareTo(worstByGroup.get(loop.group)) > 0) {
                worstByGroup.put(loop.group, stall);
            }
        }
        return new Status(stalled.isEmpty(), Map.copyOf(stalled), worst, Map.copyOf(worstByGroup), stallTimeout);
    }

    public List<String> groups() {
        return List.copyOf(groups);
    }

    public Duration stallTimeout() {
        return stallTimeout;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    private final class Loop {
        final String group;
        final String name;
        final EventExecutor executor;
        /** When the outstanding task was handed over; NONE when it has run. */
        volatile long pendingSince = NONE;
        volatile long lastWaitNanos;

        Loop(String group, String name, EventExecutor executor) {
            this.group = group;
            this.name = name;
            this.executor = executor;
        }

        void probe(long now) {
            if (pendingSince != NONE || executor.isShuttingDown()) {
                return;
            }
            pendingSince = now;
            try {
                executor.execute(() -> {
                    lastWaitNanos = nanoClock.getAsLong() - now;
                    pendingSince = NONE;
                });
            } catch (RejectedExecutionException e) {
                // Shutting down between the check and the hand-over: not a stall.
                pendingSince = NONE;
            }
        }

        long stallNanos(long now) {
            long since = pendingSince;
            if (since == NONE || executor.isShuttingDown()) {
                return Math.max(0, lastWaitNanos);
            }
            return Math.max(0, now - since);
        }
    }
}
