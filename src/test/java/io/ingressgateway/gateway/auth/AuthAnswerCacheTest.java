package io.ingressgateway.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** The auth answer cache: per key, for the duration given, bounded, and never keeping what nginx would not. */
class AuthAnswerCacheTest {

    private final AtomicLong now = new AtomicLong();
    private static final AuthAnswer ACCEPTED = new AuthAnswer(202, HttpHeaders.EMPTY);

    @Test
    void anAnswerIsKeptForItsDurationThenForgotten() {
        AuthAnswerCache cache = new AuthAnswerCache(10, now::get);
        cache.put("route\nalice", ACCEPTED, Duration.ofSeconds(5));

        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(cache.get("route\nalice")).isSameAs(ACCEPTED);
        assertThat(cache.get("route\nbob")).isNull();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(cache.get("route\nalice")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void theLeastRecentlyUsedAnswerGoesPastTheBound() {
        AuthAnswerCache cache = new AuthAnswerCache(3, now::get);
        for (int i = 0; i < 3; i++) {
            cache.put("k" + i, ACCEPTED, Duration.ofMinutes(5));
        }
        cache.get("k0");
        for (int i = 3; i < 100_000; i++) {
            cache.put("k" + i, ACCEPTED, Duration.ofMinutes(5));
            if (i == 3) {
                assertThat(cache.get("k0")).as("recently used").isNotNull();
                assertThat(cache.get("k1")).as("least recently used").isNull();
            }
        }
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void answersNginxWouldNotCacheAreNotKept() {
        AuthAnswerCache cache = new AuthAnswerCache(10, now::get);
        HttpHeaders cookie = new HttpHeaders();
        cookie.add(HttpHeaders.SET_COOKIE, "session=1");
        HttpHeaders noStore = new HttpHeaders();
        noStore.add(HttpHeaders.CACHE_CONTROL, "private, max-age=0");
        cache.put("cookie", new AuthAnswer(202, cookie), Duration.ofMinutes(5));
        cache.put("private", new AuthAnswer(202, noStore), Duration.ofMinutes(5));
        cache.put("zero", ACCEPTED, Duration.ZERO);
        cache.put("none", AuthAnswer.NONE, Duration.ofMinutes(5));
        assertThat(cache.size()).isZero();
    }

    @Test
    void aZeroBoundTurnsTheCacheOff() {
        AuthAnswerCache cache = new AuthAnswerCache(0, now::get);
        cache.put("k", ACCEPTED, Duration.ofMinutes(5));
        assertThat(cache.get("k")).isNull();
    }
}
