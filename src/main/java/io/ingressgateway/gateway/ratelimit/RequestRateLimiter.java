package io.ingressgateway.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.ingressgateway.model.IngressRef;
import java.net.InetAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * The request rate limits of every Ingress, per client address, as nginx's {@code limit_req} with
 * {@code burst=... nodelay} counts them: each request adds one to a client's excess, which drains at the rate; a
 * request that would take the excess past the burst is refused and changes nothing. So a client that has been quiet
 * gets the burst plus one request at once, then one per rate interval. With both a per-second and a per-minute limit
 * a request is admitted only when both admit it, and counted by both only then (nginx's accounting across several
 * {@code limit_req}).
 *
 * <p>The excess is kept as time owed, in nanoseconds (one request owes one interval, {@code 1 s / rate}): one long
 * per limit and client. A client's state is dropped the moment it would read as a new client's again (all it owes
 * drained), so idle clients cost nothing, and the number of states is bounded ({@code maxClients}; past it the
 * states least likely to be used again go first: the client they belonged to starts afresh, which forgives it at
 * most one burst, as nginx forgives a client whose state its full zone dropped).
 */
public final class RequestRateLimiter {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;

    /**
     * One Ingress's request limits: every route of the Ingress shares its budget per client, as nginx's zone per
     * Ingress. Changed limits are another zone, so a client starts afresh under the new ones.
     */
    public record Zone(IngressRef ingress, int perSecond, int perMinute, int burstMultiplier) {

        long secondInterval() {
            return perSecond == 0 ? 0 : SECOND / perSecond;
        }

        long minuteInterval() {
            return perMinute == 0 ? 0 : MINUTE / perMinute;
        }
    }

    /**
     * What the limits said about one request.
     *
     * @param admitted        whether it may go on
     * @param retryAfterNanos when refused, how long until the same client's next request would be admitted
     */
    public record Decision(boolean admitted, long retryAfterNanos) {
        static final Decision ADMITTED = new Decision(true, 0);
    }

    private record ClientKey(Zone zone, InetAddress client) {
    }

    /**
     * A client's excess under each limit of its zone as of {@code atNanos}, as time owed; 0 for a limit the zone does
     * not have.
     */
    private record Owed(long perSecond, long perMinute, long atNanos, long idleNanos) {
    }

    private final Cache<ClientKey, Owed> owed;
    private final Ticker ticker;

    /** @param maxClients how many (zone, client address) states are kept at most */
    public RequestRateLimiter(long maxClients) {
        this(maxClients, Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    /** As {@link #RequestRateLimiter(long)} with a clock and the executor of housekeeping (tests). */
    RequestRateLimiter(long maxClients, Ticker ticker, Executor housekeeping) {
        this.ticker = ticker;
        this.owed = Caffeine.newBuilder()
                .maximumSize(maxClients)
                .expireAfter(new DrainedExpiry())
                .ticker(ticker)
                .executor(housekeeping)
                .build();
    }

    /** Admits the request of {@code client} under {@code zone}'s limits, or says how long it must wait. */
    public Decision admit(Zone zone, InetAddress client) {
        long now = ticker.read();
        Decision[] decision = new Decision[1];
        owed.asMap().compute(new ClientKey(zone, client), (key, before) -> {
            long secondInterval = zone.secondInterval();
            long minuteInterval = zone.minuteInterval();
            long perSecond = next(before == null ? -1 : before.perSecond(), before, now, secondInterval);
            long perMinute = next(before == null ? -1 : before.perMinute(), before, now, minuteInterval);
            long secondWait = perSecond - secondInterval * zone.burstMultiplier() * (long) zone.perSecond();
            long minuteWait = perMinute - minuteInterval * zone.burstMultiplier() * (long) zone.perMinute();
            if (secondWait > 0 || minuteWait > 0) {
                decision[0] = new Decision(false, Math.max(secondWait, minuteWait));
                return before;
            }
            decision[0] = Decision.ADMITTED;
            return new Owed(perSecond, perMinute, now,
                    Math.max(perSecond + secondInterval, perMinute + minuteInterval));
        });
        return decision[0];
    }

    /**
     * The time owed under one limit if this request is counted: what was owed, less what drained since, plus one
     * interval, never below nothing (nginx's excess, as time). A client without state owes nothing afterwards, as nginx
     * counts a new client's first request.
     */
    private static long next(long owedBefore, Owed before, long now, long interval) {
        if (interval == 0 || before == null) {
            return 0;
        }
        long drained = now - before.atNanos();
        return Math.max(0, owedBefore - drained + interval);
    }

    /** How many client states are kept now (after dropping the expired ones). */
    public long trackedClients() {
        owed.cleanUp();
        return owed.estimatedSize();
    }

    /**
     * A state lives until everything it owes has drained and one more interval has passed: from then on the next
     * request would be counted as a new client's first, so dropping the state changes no decision.
     */
    private static final class DrainedExpiry implements Expiry<ClientKey, Owed> {

        @Override
        public long expireAfterCreate(ClientKey key, Owed value, long currentTime) {
            return Math.max(1, value.atNanos() + value.idleNanos() - currentTime);
        }

        @Override
        public long expireAfterUpdate(ClientKey key, Owed value, long currentTime, long currentDuration) {
            return Math.max(1, value.atNanos() + value.idleNanos() - currentTime);
        }

        @Override
        public long expireAfterRead(ClientKey key, Owed value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
