package io.ingressgateway.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.ratelimit.RequestRateLimiter.Decision;
import io.ingressgateway.gateway.ratelimit.RequestRateLimiter.Zone;
import io.ingressgateway.model.IngressRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The request rate limiter against a clock of the test's own, so refills and expiry are exact: nginx's
 * {@code limit_req burst=... nodelay} arithmetic, per zone and client, and bounded state.
 */
class RequestRateLimiterTest {

    private static final IngressRef SHOP = new IngressRef("default", "shop");
    private static final IngressRef BLOG = new IngressRef("default", "blog");

    private final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private RequestRateLimiter limiter = new RequestRateLimiter(1_000_000, clock::get, Runnable::run);

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final InetAddress ALICE = address("192.0.2.1");
    private static final InetAddress BOB = address("192.0.2.2");

    private int admittedAtOnce(Zone zone, InetAddress client, int attempts) {
        int admitted = 0;
        for (int i = 0; i < attempts; i++) {
            if (limiter.admit(zone, client).admitted()) {
                admitted++;
            }
        }
        return admitted;
    }

    private void advance(long amount, TimeUnit unit) {
        clock.addAndGet(unit.toNanos(amount));
    }

    @Test
    void aQuietClientGetsTheBurstPlusOneAtOnceAsNginxNodelay() {
        // limit-rps 2, multiplier 5: burst 10, so 11 requests pass at once, the 12th does not.
        Zone zone = new Zone(SHOP, 2, 0, 5);
        assertThat(admittedAtOnce(zone, ALICE, 11)).isEqualTo(11);
        Decision refused = limiter.admit(zone, ALICE);
        assertThat(refused.admitted()).isFalse();
        // One interval (half a second) until the next request fits.
        assertThat(refused.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void theBudgetRefillsAtTheRate() {
        Zone zone = new Zone(SHOP, 2, 0, 1);
        assertThat(admittedAtOnce(zone, ALICE, 10)).isEqualTo(3);
        advance(499, TimeUnit.MILLISECONDS);
        assertThat(limiter.admit(zone, ALICE).admitted()).isFalse();
        advance(1, TimeUnit.MILLISECONDS);
        assertThat(limiter.admit(zone, ALICE).admitted()).isTrue();
        assertThat(limiter.admit(zone, ALICE).admitted()).isFalse();
        advance(10, TimeUnit.SECONDS);
        // Refilled to the burst, never beyond it.
        assertThat(admittedAtOnce(zone, ALICE, 10)).isEqualTo(3);
    }

    @Test
    void aRefusedRequestCostsNothing() {
        Zone zone = new Zone(SHOP, 1, 0, 0);
        assertThat(limiter.admit(zone, ALICE).admitted()).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.admit(zone, ALICE).admitted()).isFalse();
        }
        advance(1, TimeUnit.SECONDS);
        assertThat(limiter.admit(zone, ALICE).admitted()).isTrue();
    }

    @Test
    void perMinuteLimitRefillsOncePerInterval() {
        // limit-rpm 6, multiplier 1: 7 at once, then one every 10 s; Retry-After says how long.
        Zone zone = new Zone(SHOP, 0, 6, 1);
        assertThat(admittedAtOnce(zone, ALICE, 20)).isEqualTo(7);
        assertThat(limiter.admit(zone, ALICE).retryAfterNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(10));
        advance(4, TimeUnit.SECONDS);
        assertThat(limiter.admit(zone, ALICE).retryAfterNanos()).isEqualTo(TimeUnit.SECONDS.toNanos(6));
        advance(6, TimeUnit.SECONDS);
        assertThat(admittedAtOnce(zone, ALICE, 5)).isEqualTo(1);
    }

    @Test
    void bothLimitsApplyAndARequestOneRefusesCountsInNeither() {
        // rps 10 (burst 10: 11 at once), rpm 3 (burst 3: 4 at once): the per-minute limit decides.
        Zone zone = new Zone(SHOP, 10, 3, 1);
        assertThat(admittedAtOnce(zone, ALICE, 20)).isEqualTo(4);
        // 20 s is one per-minute interval: one more request, not a per-second burst.
        advance(20, TimeUnit.SECONDS);
        assertThat(admittedAtOnce(zone, ALICE, 20)).isEqualTo(1);

        // rps 1 (burst 0: 1 at once), rpm 600: the per-second limit decides, and its refusals do not use up the
        // per-minute budget.
        Zone strictSecond = new Zone(BLOG, 1, 600, 0);
        for (int second = 0; second < 5; second++) {
            assertThat(admittedAtOnce(strictSecond, ALICE, 50)).isEqualTo(1);
            advance(1, TimeUnit.SECONDS);
        }
    }

    @Test
    void clientsAndIngressesHaveBudgetsOfTheirOwn() {
        Zone shop = new Zone(SHOP, 1, 0, 2);
        Zone blog = new Zone(BLOG, 1, 0, 2);
        assertThat(admittedAtOnce(shop, ALICE, 10)).isEqualTo(3);
        assertThat(admittedAtOnce(shop, BOB, 10)).isEqualTo(3);
        assertThat(admittedAtOnce(blog, ALICE, 10)).isEqualTo(3);
    }

    @Test
    void aStateExpiresOnceItWouldReadAsANewClientsAndDecisionsStayTheSame() {
        // limit-rps 1, multiplier 2: burst 2, 3 at once.
        Zone zone = new Zone(SHOP, 1, 0, 2);
        assertThat(admittedAtOnce(zone, ALICE, 10)).isEqualTo(3);
        assertThat(limiter.trackedClients()).isEqualTo(1);
        // Owed: 2 intervals (2 s), drained after 2 s, and one more interval reads as new: kept until then.
        advance(2999, TimeUnit.MILLISECONDS);
        assertThat(limiter.trackedClients()).isEqualTo(1);
        advance(1, TimeUnit.MILLISECONDS);
        // Expired now: a lookup sees no state (a full budget again) ...
        assertThat(admittedAtOnce(zone, ALICE, 10)).isEqualTo(3);
        // ... and the sweep drops an idle state within its resolution (Caffeine's timer wheel sweeps in steps of
        // about 1.07 s).
        advance(5, TimeUnit.SECONDS);
        assertThat(limiter.trackedClients()).isZero();
    }

    @Test
    void aHundredThousandClientAddressesKeepTheStateBounded() {
        limiter = new RequestRateLimiter(10_000, clock::get, Runnable::run);
        Zone zone = new Zone(SHOP, 0, 60, 5);
        byte[] address = {10, 0, 0, 0};
        for (int i = 0; i < 100_000; i++) {
            address[1] = (byte) (i >>> 16);
            address[2] = (byte) (i >>> 8);
            address[3] = (byte) i;
            InetAddress client;
            try {
                client = InetAddress.getByAddress(address);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
            assertThat(limiter.admit(zone, client).admitted()).isTrue();
            if (i % 10_000 == 0) {
                assertThat(limiter.trackedClients()).isLessThanOrEqualTo(10_000);
            }
        }
        // Never more than the bound, whatever the number of addresses seen.
        assertThat(limiter.trackedClients()).isLessThanOrEqualTo(10_000);
        // And once they are quiet, nothing at all (each owes nothing: after one interval, 1 s, it reads as new; the
        // sweep takes up to about 1.07 s more).
        advance(3, TimeUnit.SECONDS);
        assertThat(limiter.trackedClients()).isZero();
    }
}
