package io.ingressgateway.globalratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ingressgateway.globalratelimit.SlidingWindowScript.Admission;
import io.ingressgateway.support.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sliding-window script against a real redis-server: ingress-nginx's estimate (lua-resty-global-throttle 0.2),
 * checked by setting a key's counters directly and reading Redis's clock, so no test waits for a window to pass.
 */
class SlidingWindowScriptIT {

    static final long HOUR = 3_600_000;

    static RedisServer redis;
    static RedisClient client;
    static StatefulRedisConnection<String, String> connection;
    static RedisCommands<String, String> commands;

    @BeforeAll
    static void start() {
        redis = RedisServer.start();
        client = RedisClient.create(redis.url());
        connection = client.connect();
        commands = connection.sync();
    }

    @AfterAll
    static void stop() {
        connection.close();
        client.shutdown();
        redis.stop();
    }

    static Admission admit(String key, int limit, long windowMillis) {
        List<Object> reply = commands.eval(SlidingWindowScript.SOURCE, ScriptOutputType.MULTI, new String[] {key},
                Integer.toString(limit), Long.toString(windowMillis));
        return Admission.of(reply);
    }

    /** Redis's clock, in milliseconds. */
    static long now() {
        List<String> time = commands.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    @Test
    void aFreshKeyGetsExactlyTheLimitAndRefusalsAreNotCounted() {
        for (int i = 0; i < 5; i++) {
            assertThat(admit("fresh", 5, HOUR).admitted()).isTrue();
        }
        Admission refused = admit("fresh", 5, HOUR);
        assertThat(admit("fresh", 5, HOUR).admitted()).isFalse();

        assertThat(refused.admitted()).isFalse();
        // The current window's count stays at the limit: refused requests are not counted.
        long current = now() / HOUR;
        assertThat(commands.hget("fresh", Long.toString(current))).isEqualTo("5");
        // Refused until the window ends (nothing before it to slide out).
        assertThat(refused.retryAfterMillis()).isBetween(1L, HOUR);
        assertThat(refused.retryAfterMillis()).isCloseTo(HOUR - now() % HOUR, within(5_000L));
        // Kept two windows after the last counted request, no longer.
        assertThat(commands.pttl("fresh")).isBetween(HOUR, 2 * HOUR);
    }

    @Test
    void thePreviousWindowWeighsAsMuchAsTheSlidingWindowStillCoversOfIt() {
        long now = now();
        long current = now / HOUR;
        double elapsed = (double) (now - current * HOUR) / HOUR;
        // A full previous window (capped at the limit: 1000 counts as 100), and an old one to be dropped.
        commands.hset("sliding", Long.toString(current - 1), "1000");
        commands.hset("sliding", Long.toString(current - 2), "7");

        int admitted = 0;
        Admission last = Admission.ADMITTED;
        while (last.admitted() && admitted <= 100) {
            last = admit("sliding", 100, HOUR);
            admitted += last.admitted() ? 1 : 0;
        }

        // Admitted while 100 * remaining / window + count < 100, i.e. count < 100 * elapsed.
        assertThat((double) admitted).isCloseTo(Math.ceil(100 * elapsed), within(1.0));
        assertThat(commands.hexists("sliding", Long.toString(current - 2))).isFalse();
        // Refused until enough of the previous window has slid out: remaining - (limit - count) * window / previous.
        long remaining = HOUR - now() % HOUR;
        double expectedDelay = remaining - (100.0 - admitted) * HOUR / 100;
        assertThat((double) last.retryAfterMillis()).isCloseTo(expectedDelay, within(5_000.0));
    }

    @Test
    void keysAndLimitsAreIndependent() {
        assertThat(admit("alice", 1, HOUR).admitted()).isTrue();
        assertThat(admit("alice", 1, HOUR).admitted()).isFalse();
        assertThat(admit("bob", 1, HOUR).admitted()).isTrue();
    }

    @Test
    void aShortWindowIsGivenBackAsItSlides() throws InterruptedException {
        long window = 1000;
        assertThat(admit("short", 2, window).admitted()).isTrue();
        assertThat(admit("short", 2, window).admitted()).isTrue();
        // Two windows later nothing of them is left.
        Thread.sleep(2 * window + 100);
        assertThat(admit("short", 2, window).admitted()).isTrue();
        assertThat(admit("short", 2, window).admitted()).isTrue();
    }
}
