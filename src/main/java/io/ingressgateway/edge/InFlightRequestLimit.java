package io.ingressgateway.edge;

import io.ingressgateway.gateway.filter.GatewayRetryAfter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * Caps the requests the public listener serves at once. It wraps the whole HTTP handler, so a request past the cap is
 * answered 503 with {@code Retry-After} before any filter, route lookup or upstream call, and it never waits for a
 * slot. A request holds its slot until its response is written, fails, or the client goes away.
 */
public final class InFlightRequestLimit {

    private static final byte[] BODY = "503 Service Unavailable: the gateway is at capacity, retry later\n"
            .getBytes(StandardCharsets.UTF_8);

    private final int maxInFlight;
    private final long retryAfterSeconds;
    private final String retryAfterHeader;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    public InFlightRequestLimit(int maxInFlight, Duration retryAfter) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be positive");
        }
        this.maxInFlight = maxInFlight;
        // Retry-After takes whole seconds; round up so a client never comes back earlier than asked.
        long millis = retryAfter.toMillis();
        this.retryAfterSeconds = (millis + 999) / 1000;
        this.retryAfterHeader = Long.toString(retryAfterSeconds);
    }

    public HttpHandler decorate(HttpHandler delegate) {
        return (request, response) -> handle(delegate, request, response);
    }

    private Mono<Void> handle(HttpHandler delegate, ServerHttpRequest request, ServerHttpResponse response) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            rejected.incrementAndGet();
            return reject(response);
        }
        Mono<Void> handled;
        try {
            handled = delegate.handle(request, response);
        } catch (RuntimeException | Error e) {
            inFlight.decrementAndGet();
            throw e;
        }
        return handled.doFinally(signal -> inFlight.decrementAndGet());
    }

    private Mono<Void> reject(ServerHttpResponse response) {
        response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
        HttpHeaders headers = response.getHeaders();
        GatewayRetryAfter.setListenerWide(response, retryAfterSeconds, retryAfterHeader);
        headers.setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8));
        headers.setContentLength(BODY.length);
        headers.setCacheControl("no-store");
        DataBuffer body = response.bufferFactory().wrap(BODY);
        return response.writeWith(Mono.just(body));
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /** Requests being served now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Requests answered 503 by this limit since start. */
    public long rejected() {
        return rejected.get();
    }
}
