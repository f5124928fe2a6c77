package io.ingressgateway.ops;

import io.ingressgateway.controller.PipelineObserver;
import io.ingressgateway.pipeline.ListenerStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The controller's work on each snapshot, as ingress-nginx reports its reloads: whether the last model was applied by
 * every listener and when one last was, how many were applied or failed, how long translation and each listener stage
 * took. Every series exists from start-up (stages included, one per {@link ListenerStage}), so a dashboard or an alert
 * finds them before the first change.
 */
public final class ControllerMetrics implements PipelineObserver {

    static final String PREFIX = "ingress.gateway.model.";

    /**
     * Histogram buckets of translation and stage times: from a one-Ingress change (well under a millisecond) to a
     * first sync of thousands of Ingresses on a loaded node (seconds). Fixed, so each timer is 13 series.
     */
    static final Duration[] BUCKETS = {
            Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final Clock clock;
    private final Timer translation;
    private final Map<ListenerStage, Timer> stages = new EnumMap<>(ListenerStage.class);
    private final Counter applied;
    private final Counter failed;
    /** Read by the gauges at scrape time, written on the pipeline's thread. */
    private volatile boolean lastSucceeded;
    private volatile double lastSuccessEpochSeconds;

    public ControllerMetrics(MeterRegistry registry, Clock clock) {
        this.clock = clock;
        translation = timer(PREFIX + "translation", "Time to translate a cluster snapshot into a route model")
                .register(registry);
        for (ListenerStage stage : ListenerStage.values()) {
            stages.put(stage, timer(PREFIX + "stage", "Time a pipeline stage took to apply a new route model")
                    .tag("stage", stage.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        applied = applies("success").register(registry);
        failed = applies("failure").register(registry);
        Gauge.builder(PREFIX + "last.apply.successful", this, metrics -> metrics.lastSucceeded ? 1 : 0)
                .description("1 when the last snapshot was translated and applied by every stage, else 0")
                .strongReference(true)
                .register(registry);
        Gauge.builder(PREFIX + "last.apply.successful.timestamp", this, metrics -> metrics.lastSuccessEpochSeconds)
                .description("When a route model was last applied by every stage, in seconds since the epoch; "
                        + "0 until the first")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
    }

    private static Timer.Builder timer(String name, String description) {
        return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS);
    }

    private static Counter.Builder applies(String outcome) {
        return Counter.builder(PREFIX + "applies")
                .description("Snapshots handled, by whether translation and every stage succeeded")
                .tag("outcome", outcome);
    }

    @Override
    public void translated(long nanos) {
        translation.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void stageApplied(ListenerStage stage, long nanos) {
        stages.get(stage).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void applied(boolean succeeded) {
        if (succeeded) {
            lastSuccessEpochSeconds = clock.millis() / 1000.0;
            applied.increment();
        } else {
            failed.increment();
        }
        lastSucceeded = succeeded;
    }
}
