package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.edge.EventLoopWatchdog;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import reactor.netty.resources.LoopResources;

/**
 * Liveness over real event loops and the watchdog's own timer: a loop blocked past the stall timeout turns the
 * indicator DOWN, naming the loop, and it turns UP again once the loop runs tasks.
 */
class EventLoopHealthIndicatorTest {

    @Test
    void downWhileALoopIsBlockedPastTheStallTimeoutAndUpAfterItUnblocks() throws InterruptedException {
        LoopResources resources = LoopResources.create("liveness-test", 2, true);
        EventLoopGroup group = resources.onServer(LoopResources.DEFAULT_NATIVE);
        CountDownLatch release = new CountDownLatch(1);
        try (EventLoopWatchdog watchdog = new EventLoopWatchdog(Map.of("test", group), Duration.ofMillis(50),
                Duration.ofMillis(400))) {
            EventLoopHealthIndicator indicator = new EventLoopHealthIndicator(watchdog);
            watchdog.start();
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

            CountDownLatch blocked = new CountDownLatch(1);
            group.next().execute(() -> {
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(blocked.await(5, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(30)).until(() -> indicator.health().getStatus().equals(Status.DOWN));
            Health down = indicator.health();
            assertThat(down.getDetails()).containsKeys("stalledLoops", "stallTimeout", "worstStall");
            @SuppressWarnings("unchecked")
            Map<String, String> stalled = (Map<String, String>) down.getDetails().get("stalledLoops");
            assertThat(stalled).hasSize(1);
            assertThat(stalled.keySet().iterator().next()).startsWith("test#");

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> indicator.health().getStatus().equals(Status.UP));
            assertThat(indicator.health().getDetails()).doesNotContainKey("stalledLoops");
        } finally {
            release.countDown();
            resources.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block();
        }
    }
}
