package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EarlyRetryHoldTest {

    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long MAX = 10 * SECOND;

    @Test
    void theFirstHoldIsTheRetryAfterLengthenedByUpToAQuarter() {
        assertThat(EarlyRetryHold.holdNanos(SECOND, 0, MAX, 0.0)).isEqualTo(SECOND);
        assertThat(EarlyRetryHold.holdNanos(SECOND, 0, MAX, 0.5)).isEqualTo(SECOND + SECOND / 8);
        assertThat(EarlyRetryHold.holdNanos(SECOND, 0, MAX, 0.999)).isBetween(SECOND, SECOND + SECOND / 4);
    }

    @Test
    void eachEarlyRetryInARowDoublesTheHold() {
        assertThat(EarlyRetryHold.holdNanos(SECOND, 1, MAX, 0.0)).isEqualTo(2 * SECOND);
        assertThat(EarlyRetryHold.holdNanos(SECOND, 2, MAX, 0.0)).isEqualTo(4 * SECOND);
        assertThat(EarlyRetryHold.holdNanos(SECOND, 3, MAX, 0.0)).isEqualTo(8 * SECOND);
    }

    @Test
    void pastTheMaximumHoldsAreSpreadOverTheQuarterBelowIt() {
        for (int retries : new int[] {4, 10, 1000}) {
            assertThat(EarlyRetryHold.holdNanos(SECOND, retries, MAX, 0.0)).isEqualTo(MAX);
            assertThat(EarlyRetryHold.holdNanos(SECOND, retries, MAX, 0.999)).isBetween(MAX * 3 / 4, MAX);
        }
        // A Retry-After beyond the maximum (an open circuit's remaining wait, say) is capped the same way.
        assertThat(EarlyRetryHold.holdNanos(60 * SECOND, 0, MAX, 0.5)).isBetween(MAX * 3 / 4, MAX);
    }

    @Test
    void holdsOfOneWaveEndAtDifferentTimes() {
        long first = EarlyRetryHold.holdNanos(SECOND, 0, MAX, 0.1);
        long second = EarlyRetryHold.holdNanos(SECOND, 0, MAX, 0.9);
        assertThat(second - first).isCloseTo(SECOND / 5, org.assertj.core.data.Offset.offset(1L));
    }
}
