package io.ingressgateway.edge;

import io.ingressgateway.gateway.filter.GatewayRetryAfter;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>Outermost on the public listener, outside the in-flight limit, so a held request holds no in-flight place. The
 * state is one attribute on the connection's channel; an HTTP/2 stream is its own channel and is never held.
 */
public final class EarlyRetryHold {

    private static final AttributeKey<Long> RETRY_NOT_BEFORE =
            AttributeKey.valueOf(EarlyRetryHold.class.getName() + ".retryNotBefore");

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
            Long notBefore = channel.attr(RETRY_NOT_BEFORE).getAndSet(null);
            long wait = notBefore == null ? 0 : notBefore - System.nanoTime();
            Mono<Void> handled = Mono.defer(() -> delegate.handle(request, response))
                    .doOnSuccess(done -> remember(channel, response))
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
     * before then. The gateway's mark is taken (cleared) whatever the answer, so it never outlives its response.
     */
    private void remember(Channel channel, ServerHttpResponse response) {
        long seconds = GatewayRetryAfter.take(channel);
        if (response.getStatusCode() == null || response.getStatusCode().value() != 503) {
            return;
        }
        if (seconds > 0) {
            long hold = Math.min(TimeUnit.SECONDS.toNanos(seconds), maxHoldNanos);
            channel.attr(RETRY_NOT_BEFORE).set(System.nanoTime() + hold);
        }
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
