package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.pipeline.ListenerStage;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The controller's series as the pipeline's reports move them; the test moves the clock to read the timestamp exactly. */
class ControllerMetricsTest {

    private static final Instant NOW = Instant.parse("2026-12-03T18:00:00.250Z");

    /** A clock the test moves. */
    static final class SteppingClock extends Clock {
        private volatile Instant now = NOW;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SteppingClock clock = new SteppingClock();
    private final ControllerMetrics metrics = new ControllerMetrics(registry, clock);

    @Test
    void everySeriesExistsBeforeTheFirstSnapshot() {
        assertThat(lastSuccessful()).isZero();
        assertThat(lastSuccessTimestamp()).isZero();
        assertThat(applies("success")).isZero();
        assertThat(applies("failure")).isZero();
        assertThat(registry.get("ingress.gateway.model.translation").timer().count()).isZero();
        assertThat(registry.get("ingress.gateway.model.stage").timers()).extracting(t -> t.getId().getTag("stage"))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ListenerStage.values())
                        .map(stage -> stage.name().toLowerCase()).toList());
    }

    @Test
    void anAppliedModelSetsSuccessAndItsTimeAndAFailedOneOnlyCountsAndClearsSuccess() {
        metrics.applied(true);
        assertThat(lastSuccessful()).isEqualTo(1);
        assertThat(lastSuccessTimestamp()).isEqualTo(NOW.toEpochMilli() / 1000.0);
        assertThat(applies("success")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        metrics.applied(false);
        assertThat(lastSuccessful()).isZero();
        assertThat(lastSuccessTimestamp()).isEqualTo(NOW.toEpochMilli() / 1000.0);
        assertThat(applies("success")).isEqualTo(1);
        assertThat(applies("failure")).isEqualTo(1);

        clock.advance(Duration.ofMinutes(1));
        metrics.applied(true);
        assertThat(lastSuccessful()).isEqualTo(1);
        assertThat(lastSuccessTimestamp()).isEqualTo(NOW.plus(Duration.ofMinutes(2)).toEpochMilli() / 1000.0);
        assertThat(applies("success")).isEqualTo(2);
    }

    @Test
    void translationAndStageTimesLandInTheirTimersAndBuckets() {
        metrics.translated(TimeUnit.MILLISECONDS.toNanos(3));
        metrics.stageApplied(ListenerStage.GATEWAY_ROUTES, TimeUnit.MILLISECONDS.toNanos(30));

        Timer translation = registry.get("ingress.gateway.model.translation").timer();
        assertThat(translation.count()).isEqualTo(1);
        assertThat(translation.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3);
        Timer routes = registry.get("ingress.gateway.model.stage").tag("stage", "gateway_routes").timer();
        assertThat(routes.count()).isEqualTo(1);
        assertThat(registry.get("ingress.gateway.model.stage").tag("stage", "upstream_guards").timer().count())
                .isZero();
        // 30 ms is over the 25 ms bucket and within the 50 ms one.
        var buckets = routes.takeSnapshot().histogramCounts();
        assertThat(buckets).hasSize(ControllerMetrics.BUCKETS.length);
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(TimeUnit.MILLISECONDS) == 25).findFirst()
                .orElseThrow().count()).isZero();
        assertThat(Arrays.stream(buckets).filter(b -> b.bucket(TimeUnit.MILLISECONDS) == 50).findFirst()
                .orElseThrow().count()).isEqualTo(1);
    }

    private double lastSuccessful() {
        return registry.get("ingress.gateway.model.last.apply.successful").gauge().value();
    }

    private double lastSuccessTimestamp() {
        return registry.get("ingress.gateway.model.last.apply.successful.timestamp").gauge().value();
    }

    private double applies(String outcome) {
        return registry.get("ingress.gateway.model.applies").tag("outcome", outcome).counter().count();
    }
}
