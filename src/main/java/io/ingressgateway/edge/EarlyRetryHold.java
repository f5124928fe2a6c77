package io.ingressgateway.edge;

import io.ingressgateway.gateway.filter.GatewayRetryAfter;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Holds back a client that comes back on the same connection before the {@code Retry-After} of the 503 it was just
 * given: its next request waits, costing no CPU, until the time it was told, and only then is served.
 *
 * <p>Shedding is only cheap if the shed client waits. A flood client that retries at once turns every rejection into
 * another request (tens of thousands a second from a few thousand connections), and the gateway's CPU goes to
 * rejecting it while requests for healthy upstreams queue behind on the same event loops: the slow upstream would hurt
 * the others after all. Clients that honour {@code Retry-After}, or that were not shed, are never held.
 *
 * <p>Only the gateway's own 503s count ({@link GatewayRetryAfter}: the listener at capacity, a bulkhead, a circuit
 * breaker, an exhausted upstream pool). An upstream's own 503 with {@code Retry-After} goes to the client untouched and
 * holds nothing: on a connection shared by many users and hosts (a CDN's, a corporate proxy's) one tenant's backend
 * asking for a pause must not delay the others.
 *
 * <p>A hold concerns the host that was refused: after a bulkhead's or a circuit's 503, only the connection's next
 * request for that same host is held, so on a connection carrying several hosts (a CDN's) the others pass. After the
 * listener's own 503 (at capacity) any next request is held.
 *
 * <p>A client that keeps coming back early is held longer each time: the hold doubles with every early retry in a
 * row, up to the maximum, and is spread by up to a quarter at random. Otherwise a flood of thousands of connections
 * that were refused in the same instant (a circuit opening) would come back in the same instant every Retry-After,
 * and each wave of rejections would stall the event loops, and the other hosts' requests on them, for as long as it
 * takes to answer it. A client that waits as it was told starts over at the plain Retry-After.
 *
 * <p>Outermost on the public listener, outside the in-flight limit, so a held request holds no in-flight place. The
 * state is one attribute on the connection's channel; an HTTP/2 stream is its own channel and is never held.
 */
public final class EarlyRetryHold {

    private static final AttributeKey<Hold> HOLD = AttributeKey.valueOf(EarlyRetryHold.class.getName() + ".hold");
    /** Early retries in a row past which the hold stops doubling (2^6 = 64 times the Retry-After, capped anyway). */
    private static final int MAX_DOUBLINGS = 6;

    /**
     * What the connection was told: not before {@code notBeforeNanos}, for requests to {@code host} (any host when
     * null), after {@code earlyRetries} early retries in a row.
     */
    private record Hold(long notBeforeNanos, String host, int earlyRetries) {

        boolean concerns(String requestHost) {
            return host == null || host.equalsIgnoreCase(requestHost);
        }
    }

    private final long maxHoldNanos;
    private final AtomicLong held = new AtomicLong();

    /** @param maxHold the longest a request is held, whatever the {@code Retry-After} said */
    public EarlyRetryHold(Duration maxHold) {
        this.maxHoldNanos = maxHold.toNanos();
    }

    public HttpHandler decorate(HttpHandler delegate) {
        return (request, response) -> {
            Channel channel = channelOf(request);
            if (channel == null) {
                return delegate.handle(request, response);
            }
            // Most requests come on a connection that was never refused: no header is read for them.
            Hold hold = channel.attr(HOLD).get();
            long wait = 0;
            int earlyRetries = 0;
            if (hold != null && hold.concerns(request.getHeaders().getFirst(HttpHeaders.HOST))) {
                channel.attr(HOLD).set(null);
                wait = hold.notBeforeNanos() - System.nanoTime();
                earlyRetries = wait > 0 ? hold.earlyRetries() + 1 : 0;
            }
            int earlyRetriesSoFar = earlyRetries;
            Mono<Void> handled = Mono.defer(() -> delegate.handle(request, response))
                    .doOnSuccess(done -> remember(channel, request, response, earlyRetriesSoFar))
                    .doOnError(error -> GatewayRetryAfter.take(channel));
            if (wait <= 0) {
                return handled;
            }
            held.incrementAndGet();
            return holdFor(channel, wait).then(handled);
        };
    }

    /** Completes after {@code nanos} on the connection's own event loop; a client going away cancels the timer. */
    private static Mono<Void> holdFor(Channel channel, long nanos) {
        return Mono.create(sink -> {
            ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> sink.success(), nanos,
                    TimeUnit.NANOSECONDS);
            sink.onDispose(() -> timer.cancel(false));
        });
    }

    /**
     * After a 503 of the gateway's own with {@code Retry-After} in seconds, the connection may not be served again
     * before then (for that host, unless the whole listener was at capacity). The gateway's mark is taken (cleared)
     * whatever the answer, so it never outlives its response.
     */
    private void remember(Channel channel, ServerHttpRequest request, ServerHttpResponse response,
                          int earlyRetries) {
        GatewayRetryAfter.Given given = GatewayRetryAfter.take(channel);
        if (given == null || given.seconds() <= 0 || response.getStatusCode() == null
                || response.getStatusCode().value() != 503) {
            return;
        }
        long hold = holdNanos(TimeUnit.SECONDS.toNanos(given.seconds()), earlyRetries, maxHoldNanos,
                ThreadLocalRandom.current().nextDouble());
        String host = given.listenerWide() ? null : request.getHeaders().getFirst(HttpHeaders.HOST);
        channel.attr(HOLD).set(new Hold(System.nanoTime() + hold, host, earlyRetries));
    }

    /**
     * How long the next request is held: the Retry-After doubled for each early retry in a row, lengthened by up to
     * a quarter ({@code random} in [0, 1) says how much). Never more than {@code maxHoldNanos}: past it the hold is
     * spread over the last quarter below the maximum instead, so that holds which all reached it do not all end in
     * the same instant either.
     */
    static long holdNanos(long retryAfterNanos, int earlyRetries, long maxHoldNanos, double random) {
        long doubled = retryAfterNanos << Math.min(earlyRetries, MAX_DOUBLINGS);
        long spread = (long) (doubled * (1 + random / 4));
        return spread <= maxHoldNanos ? spread : (long) (maxHoldNanos * (1 - random / 4));
    }

    private static Channel channelOf(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        return nativeRequest instanceof Connection connection ? connection.channel() : null;
    }

    /** Requests held because their client came back before its Retry-After. */
    public long held() {
        return held.get();
    }
}
