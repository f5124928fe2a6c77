package io.ingressgateway.gateway.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Auth answers kept per route and {@code auth-cache-key} value ({@code auth-cache-duration} says for how long, by
 * status), as ingress-nginx's {@code auth_cache}: a second request with the same key on the same route does not ask
 * the auth service again. Bounded: past {@code maxEntries} the least recently used answer goes, so no number of
 * distinct keys (one per client's token, say) grows memory without limit.
 */
final class AuthAnswerCache {

    private record Entry(AuthAnswer answer, long expiresAtNanos) {
    }

    private final int maxEntries;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<String, Entry> entries;

    AuthAnswerCache(int maxEntries) {
        this(maxEntries, System::nanoTime);
    }

    AuthAnswerCache(int maxEntries, LongSupplier nanoClock) {
        this.maxEntries = maxEntries;
        this.nanoClock = nanoClock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > AuthAnswerCache.this.maxEntries;
            }
        };
    }

    /** The answer kept under {@code key} and still valid, or null. */
    AuthAnswer get(String key) {
        synchronized (entries) {
            Entry entry = entries.get(key);
            if (entry == null) {
                return null;
            }
            if (nanoClock.getAsLong() - entry.expiresAtNanos() >= 0) {
                entries.remove(key);
                return null;
            }
            return entry.answer();
        }
    }

    /** Keeps {@code answer} for {@code duration}, when it is cacheable and the duration positive. */
    void put(String key, AuthAnswer answer, Duration duration) {
        if (maxEntries <= 0 || duration.isZero() || duration.isNegative() || !answer.cacheable()) {
            return;
        }
        long nanos = duration.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 4 : duration.toNanos();
        synchronized (entries) {
            entries.put(key, new Entry(answer, nanoClock.getAsLong() + nanos));
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
