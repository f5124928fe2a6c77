package io.ingressgateway.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.UpstreamKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

/** The EWMA balancer's algorithm with a clock the test moves: averages, decay, in-flight penalty, two choices. */
class EwmaTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private EwmaStats stats() {
        return new EwmaStats(now::get, 0);
    }

    private static long millis(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    @Test
    void aResponseAfterALongQuietMovesTheAverageAllTheWayAndOneSoonAfterOnlyALittle() {
        EwmaStats endpoint = stats();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        endpoint.started();
        endpoint.finished(millis(100));
        assertThat(endpoint.average()).isCloseTo(millis(100), Percentage.withPercentage(1));

        now.addAndGet(millis(100)); // 0.1 s of a 10 s decay: weight of the new sample ~1%
        endpoint.started();
        endpoint.finished(millis(1100));
        assertThat(endpoint.average()).isBetween((double) millis(105), (double) millis(115));
    }

    @Test
    void aSlowRecordDecaysOverTimeSoTheEndpointIsTriedAgain() {
        EwmaStats slow = stats();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        slow.started();
        slow.finished(millis(500));
        double fresh = slow.score();

        now.addAndGet(Duration.ofSeconds(10).toNanos()); // one decay time: e^-1 of it remains
        assertThat(slow.score()).isCloseTo(fresh / Math.E, Percentage.withPercentage(1));
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(slow.score()).isLessThan(fresh / 100);
    }

    @Test
    void requestsInFlightRaiseTheScore() {
        EwmaStats endpoint = stats();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        endpoint.started();
        endpoint.finished(millis(10));
        double idle = endpoint.score();

        endpoint.started();
        endpoint.started();
        assertThat(endpoint.inFlight()).isEqualTo(2);
        assertThat(endpoint.score()).isCloseTo(3 * idle, Percentage.withPercentage(1));
    }

    @Test
    void aSlowEndpointGetsFewerPicksThanAFastOne() {
        EwmaStats fast = stats();
        EwmaStats slow = stats();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        EwmaChooser chooser = new EwmaChooser(List.of(fast, slow), now::get);
        int[] picks = new int[2];
        for (int i = 0; i < 2_000; i++) {
            int chosen = chooser.pick();
            picks[chosen]++;
            // The request's latency is recorded through the chooser, as the filter chain does.
            long latency = chosen == 0 ? millis(5) : millis(200);
            chooser.around(plainRequest(), chosen, Mono.fromRunnable(() -> now.addAndGet(latency))).block();
        }
        // Two endpoints: every pick compares both, so the slow one is chosen only while its record is fresher-lower.
        assertThat(picks[1]).isLessThan(picks[0] / 10);
    }

    @Test
    void threeEndpointsOneSlowTheSlowOneGetsAClearlySmallerShare() {
        EwmaStats a = stats();
        EwmaStats b = stats();
        EwmaStats slow = stats();
        EwmaChooser chooser = new EwmaChooser(List.of(a, b, slow), now::get);
        int[] picks = new int[3];
        for (int i = 0; i < 3_000; i++) {
            int chosen = chooser.pick();
            picks[chosen]++;
            long latency = chosen == 2 ? millis(300) : millis(10);
            chooser.around(plainRequest(), chosen, Mono.fromRunnable(() -> now.addAndGet(latency))).block();
        }
        // Random pairs include the slow one with the pair (a, b) excluded a third of the time; it loses those pairs.
        assertThat(picks[2]).isLessThan(picks[0] / 5).isLessThan(picks[1] / 5);
    }

    @Test
    void anEndpointAddedLaterStartsFromTheOthersMeanNotFromZero() {
        EndpointChoosers choosers = new EndpointChoosers(now::get);
        UpstreamKey key = new UpstreamKey("ns", "svc", "80");
        Endpoint first = new Endpoint("10.0.0.1", 80);
        Endpoint second = new Endpoint("10.0.0.2", 80);
        EwmaStats known = choosersStats(choosers, key, List.of(first)).get(0);
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        known.started();
        known.finished(millis(50));

        List<EwmaStats> both = choosersStats(choosers, key, List.of(first, second));

        assertThat(both.get(0)).isSameAs(known);
        assertThat(both.get(1).average()).isEqualTo(known.average());
    }

    @Test
    void aWebSocketSessionIsNotTakenForASlowResponse() {
        EwmaStats endpoint = stats();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        EwmaChooser chooser = new EwmaChooser(List.of(endpoint), now::get);
        MockServerWebExchange upgrade =
                MockServerWebExchange.from(
                        MockServerHttpRequest.get("/chat")
                                .header("Upgrade", "websocket").header("Connection", "Upgrade"));

        chooser.around(upgrade, 0, Mono.fromRunnable(() -> now.addAndGet(Duration.ofHours(1).toNanos()))).block();

        assertThat(endpoint.average()).isZero();
        assertThat(endpoint.inFlight()).isZero();
    }

    private static MockServerWebExchange plainRequest() {
        return MockServerWebExchange.from(
                MockServerHttpRequest.get("/"));
    }

    private static List<EwmaStats> choosersStats(EndpointChoosers choosers, UpstreamKey key,
                                                 List<Endpoint> endpoints) {
        return choosers.ewmaStats(key, endpoints, k -> true);
    }
}
