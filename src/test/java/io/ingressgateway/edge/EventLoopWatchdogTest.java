package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.LoopResources;

/**
 * The watchdog over real Reactor Netty event loops, with a hand-driven clock so that stalls are exact: a loop is
 * stalled once its task has waited longer than the timeout, whatever the machine's speed.
 */
class EventLoopWatchdogTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private LoopResources resources;
    private EventLoopGroup group;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void startLoops() {
        resources = LoopResources.create("watchdog-test", 2, true);
        group = resources.onServer(LoopResources.DEFAULT_NATIVE);
    }

    @AfterEach
    void stopLoops() {
        release.countDown();
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block();
    }

    private EventLoopWatchdog watchdog() {
        return new EventLoopWatchdog(Map.of("test", group), Duration.ofMillis(500), TIMEOUT, clock::get);
    }

    private List<EventExecutor> executors() {
        List<EventExecutor> executors = new ArrayList<>();
        group.forEach(executors::add);
        return executors;
    }

    private void advance(Duration by) {
        clock.addAndGet(by.toNanos());
    }

    private void block(EventExecutor executor) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        executor.execute(() -> {
            blocked.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();
    }

    /** Hands out tasks and waits until every loop that is not blocked has run its own. */
    private void checkAndAwaitFreeLoops(EventLoopWatchdog watchdog, EventExecutor blocked) throws InterruptedException {
        watchdog.check();
        for (EventExecutor executor : executors()) {
            if (executor != blocked) {
                executor.submit(() -> { }).await(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void responsiveLoopsAreUp() throws InterruptedException {
        EventLoopWatchdog watchdog = watchdog();
        checkAndAwaitFreeLoops(watchdog, null);
        advance(Duration.ofMinutes(5));

        EventLoopWatchdog.Status status = watchdog.status();
        assertThat(status.responsive()).isTrue();
        assertThat(status.stalled()).isEmpty();
        assertThat(status.worstByGroup()).containsOnlyKeys("test");
    }

    @Test
    void aLoopIsStalledOnlyOnceItsTaskHasWaitedLongerThanTheTimeoutAndRecoversAfter() throws InterruptedException {
        EventLoopWatchdog watchdog = watchdog();
        EventExecutor stuck = executors().get(0);
        block(stuck);

        checkAndAwaitFreeLoops(watchdog, stuck);
        advance(TIMEOUT);
        assertThat(watchdog.status().responsive()).isTrue();
        assertThat(watchdog.status().worstStall()).isEqualTo(TIMEOUT);

        // Further checks hand out no second task to the stuck loop: its stall keeps counting from the first.
        checkAndAwaitFreeLoops(watchdog, stuck);
        advance(Duration.ofMillis(1));
        EventLoopWatchdog.Status stalled = watchdog.status();
        assertThat(stalled.responsive()).isFalse();
        assertThat(stalled.stalled()).containsOnlyKeys("test#0");
        assertThat(stalled.stalled().get("test#0")).isEqualTo(TIMEOUT.plusMillis(1));

        release.countDown();
        stuck.submit(() -> { }).await(5, TimeUnit.SECONDS);
        // The task that finally ran waited too long; the next one, handed out on the next check, runs at once.
        checkAndAwaitFreeLoops(watchdog, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> watchdog.status().responsive());
        assertThat(watchdog.status().worstStall()).isLessThan(TIMEOUT);
    }

    @Test
    void loopsThatAreShuttingDownAreNotStalls() throws InterruptedException {
        EventLoopWatchdog watchdog = watchdog();
        EventExecutor stuck = executors().get(0);
        block(stuck);
        // The free loop must run its task before the clock jumps, or its real wait would read as a stall.
        checkAndAwaitFreeLoops(watchdog, stuck);
        advance(TIMEOUT.multipliedBy(2));
        assertThat(watchdog.status().responsive()).isFalse();

        group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        // The group hands the shutdown to each loop; wait until the stuck one is marked as shutting down.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(stuck::isShuttingDown);
        assertThat(watchdog.status().responsive()).isTrue();
        watchdog.check();
        assertThat(watchdog.status().responsive()).isTrue();
    }
}
