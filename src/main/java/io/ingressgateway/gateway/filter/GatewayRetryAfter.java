package io.ingressgateway.gateway.filter;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.netty.Connection;

/**
 * The {@code Retry-After} of the gateway's own 503s (the listener at capacity, an upstream's bulkhead full, its
 * circuit open, its connection pool exhausted), also remembered on the client's connection. The early-retry hold
 * holds a client that comes back too soon only after one of these: an upstream's own 503 with {@code Retry-After} is
 * that upstream's business, and must not delay the other hosts' requests on a shared connection (a CDN's, say).
 *
 * <p>A 503 of an upstream's guards concerns the request's host only; the listener at capacity concerns every request
 * ({@link Given#listenerWide()}).
 */
public final class GatewayRetryAfter {

    private static final AttributeKey<Given> GIVEN =
            AttributeKey.valueOf(GatewayRetryAfter.class.getName() + ".given");

    /**
     * A {@code Retry-After} the gateway gave: how many seconds, and whether it was for the whole listener (at
     * capacity) rather than for the request's upstream only.
     */
    public record Given(long seconds, boolean listenerWide) {
    }

    private GatewayRetryAfter() {
    }

    /**
     * Sets {@code Retry-After} on a 503 of an upstream's guards (the request's host only) and remembers it on the
     * response's connection.
     */
    public static void set(ServerHttpResponse response, long seconds) {
        set(response, new Given(seconds, false), Long.toString(seconds));
    }

    /** As {@link #set(ServerHttpResponse, long)}, for the listener at capacity: every host's requests. */
    public static void setListenerWide(ServerHttpResponse response, long seconds, String headerValue) {
        set(response, new Given(seconds, true), headerValue);
    }

    private static void set(ServerHttpResponse response, Given given, String headerValue) {
        response.getHeaders().set(HttpHeaders.RETRY_AFTER, headerValue);
        Channel channel = channelOf(response);
        if (channel != null) {
            channel.attr(GIVEN).set(given);
        }
    }

    /**
     * The {@code Retry-After} the gateway itself gave on this channel since the last call, null when none; forgets
     * it, so it applies to one response only.
     */
    public static Given take(Channel channel) {
        return channel.attr(GIVEN).getAndSet(null);
    }

    /** The response's connection channel; null when it has none (a response not written by Reactor Netty). */
    private static Channel channelOf(ServerHttpResponse response) {
        Object nativeResponse;
        try {
            nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        } catch (IllegalStateException noNativeResponse) {
            return null; // a mock response (tests)
        }
        return nativeResponse instanceof Connection connection ? connection.channel() : null;
    }
}
