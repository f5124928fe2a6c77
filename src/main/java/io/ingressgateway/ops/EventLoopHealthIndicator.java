package io.ingressgateway.ops;

import io.ingressgateway.edge.EventLoopWatchdog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Liveness: whether the gateway's event loops still run tasks. DOWN only when a loop has left the watchdog's task
 * waiting longer than the stall timeout, i.e. the process can no longer serve and a restart is the cure. Upstreams,
 * the API server and the route model play no part: none of them is fixed by restarting the gateway.
 * Reads the watchdog's last measurement; never blocks.
 */
public class EventLoopHealthIndicator implements HealthIndicator {

    private final EventLoopWatchdog watchdog;

    public EventLoopHealthIndicator(EventLoopWatchdog watchdog) {
        this.watchdog = watchdog;
    }

    @Override
    public Health health() {
        EventLoopWatchdog.Status status = watchdog.status();
        Map<String, String> worstByGroup = new LinkedHashMap<>();
        status.worstByGroup().forEach((group, stall) -> worstByGroup.put(group, millis(stall)));
        Health.Builder health = status.responsive() ? Health.up() : Health.down();
        health.withDetail("stallTimeout", millis(status.stallTimeout()))
                .withDetail("worstStall", worstByGroup);
        if (!status.responsive()) {
            Map<String, String> stalled = new LinkedHashMap<>();
            status.stalled().forEach((loop, stall) -> stalled.put(loop, millis(stall)));
            health.withDetail("stalledLoops", stalled);
        }
        return health.build();
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + "ms";
    }
}
