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
 */
public final class GatewayRetryAfter {

    private static final AttributeKey<Long> SECONDS =
            AttributeKey.valueOf(GatewayRetryAfter.class.getName() + ".seconds");

    private GatewayRetryAfter() {
    }

    /** Sets {@code Retry-After} on a 503 of the gateway's own and remembers it on the response's connection. */
    public static void set(ServerHttpResponse response, long seconds) {
        set(response, seconds, Long.toString(seconds));
    }

    /** As {@link #set(ServerHttpResponse, long)}, with the header value already written out. */
    public static void set(ServerHttpResponse response, long seconds, String headerValue) {
        response.getHeaders().set(HttpHeaders.RETRY_AFTER, headerValue);
        Channel channel = channelOf(response);
        if (channel != null) {
            channel.attr(SECONDS).set(seconds);
        }
    }

    /**
     * The {@code Retry-After} in seconds the gateway itself gave on this channel since the last call, 0 when none;
     * forgets it, so it applies to one response only.
     */
    public static long take(Channel channel) {
        Long seconds = channel.attr(SECONDS).getAndSet(null);
        return seconds == null ? 0 : seconds;
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
