package io.ingressgateway.edge;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Caps the WebSocket sessions open at once on the public listeners. A WebSocket upgrade request takes a session
 * place before it is routed (past the cap it is answered 503 with {@code Retry-After}, never upgraded); when the
 * gateway answers {@code 101} the place passes to the connection and is given back when the connection closes,
 * otherwise it is given back when the request ends.
 *
 * <p>A session holds no in-flight request place: Reactor Netty completes the upgrade request at the handshake, so
 * the in-flight limit counts the handshake only, and long-lived sessions could otherwise pile up without bound (each
 * holding a client connection and an upstream connection). This cap bounds them separately, below the connection
 * limit so that sessions alone never take every connection.
 */
public final class WebSocketSessionLimit {

    private static final AttributeKey<Boolean> PLACE_RESERVED =
            AttributeKey.valueOf(WebSocketSessionLimit.class.getName() + ".placeReserved");
    private static final byte[] BODY = "503 Service Unavailable: too many WebSocket sessions, retry later\n"
            .getBytes(StandardCharsets.UTF_8);

    private final int maxSessions;
    private final String retryAfterSeconds;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    public WebSocketSessionLimit(int maxSessions, Duration retryAfter) {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive");
        }
        this.maxSessions = maxSessions;
        this.retryAfterSeconds = Long.toString((retryAfter.toMillis() + 999) / 1000);
    }

    public HttpHandler decorate(HttpHandler delegate) {
        return (request, response) -> {
            if (!isWebSocketUpgrade(request)) {
                return delegate.handle(request, response);
            }
            Channel channel = channelOf(request);
            if (channel == null) {
                return delegate.handle(request, response);
            }
            if (open.incrementAndGet() > maxSessions) {
                open.decrementAndGet();
                rejected.incrementAndGet();
                return reject(response);
            }
            channel.attr(PLACE_RESERVED).set(Boolean.TRUE);
            return Mono.defer(() -> delegate.handle(request, response))
                    .doFinally(signal -> {
                        // Still reserved: no 101 went out, so no session began.
                        if (channel.attr(PLACE_RESERVED).getAndSet(null) != null) {
                            open.decrementAndGet();
                        }
                    });
        };
    }

    /** The {@code 101} is being written on {@code channel}: its reserved place is held until the connection closes. */
    void upgraded(Channel channel) {
        if (channel.attr(PLACE_RESERVED).getAndSet(null) != null) {
            channel.closeFuture().addListener(closed -> open.decrementAndGet());
        }
    }

    static boolean isWebSocketUpgrade(ServerHttpRequest request) {
        return HttpMethod.GET.equals(request.getMethod())
                && "websocket".equalsIgnoreCase(request.getHeaders().getFirst(HttpHeaders.UPGRADE));
    }

    private Mono<Void> reject(ServerHttpResponse response) {
        response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
        headers.setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
        headers.setContentLength(BODY.length);
        headers.setCacheControl("no-store");
        DataBuffer body = response.bufferFactory().wrap(BODY);
        return response.writeWith(Mono.just(body));
    }

    private static Channel channelOf(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        return nativeRequest instanceof Connection connection ? connection.channel() : null;
    }

    public int maxSessions() {
        return maxSessions;
    }

    /** Sessions open now (and upgrades under way). */
    public int open() {
        return open.get();
    }

    /** Upgrade requests answered 503 by this cap since start. */
    public long rejected() {
        return rejected.get();
    }
}
