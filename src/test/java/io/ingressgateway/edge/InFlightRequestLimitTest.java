package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** The in-flight limit around a handler whose requests finish when the test says so. */
class InFlightRequestLimitTest {

    /** A handler that holds each request open until released, and counts what reached it. */
    private static final class HeldHandler implements HttpHandler {
        final List<Sinks.Empty<Void>> held = new ArrayList<>();

        @Override
        public Mono<Void> handle(org.springframework.http.server.reactive.ServerHttpRequest request,
                                 org.springframework.http.server.reactive.ServerHttpResponse response) {
            Sinks.Empty<Void> done = Sinks.empty();
            held.add(done);
            return done.asMono();
        }
    }

    private static MockServerHttpResponse send(HttpHandler handler, List<Disposable> subscriptions) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        subscriptions.add(handler.handle(MockServerHttpRequest.get("/").build(), response).subscribe());
        return response;
    }

    @Test
    void rejectsPastTheLimitAtOnceWith503AndRetryAfterAndFreesSlotsWhenRequestsEnd() {
        InFlightRequestLimit limit = new InFlightRequestLimit(2, Duration.ofMillis(1500));
        HeldHandler delegate = new HeldHandler();
        HttpHandler handler = limit.decorate(delegate);
        List<Disposable> subscriptions = new ArrayList<>();

        send(handler, subscriptions);
        send(handler, subscriptions);
        MockServerHttpResponse rejected = send(handler, subscriptions);

        assertThat(delegate.held).hasSize(2);
        assertThat(limit.inFlight()).isEqualTo(2);
        assertThat(limit.rejected()).isEqualTo(1);
        assertThat(rejected.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        // Whole seconds, rounded up.
        assertThat(rejected.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(rejected.getBodyAsString().block()).contains("503");

        delegate.held.get(0).tryEmitEmpty();
        assertThat(limit.inFlight()).isEqualTo(1);
        MockServerHttpResponse admitted = send(handler, subscriptions);
        assertThat(admitted.getStatusCode()).isNull();
        assertThat(delegate.held).hasSize(3);

        delegate.held.get(1).tryEmitError(new IllegalStateException("upstream failed"));
        assertThat(limit.inFlight()).isEqualTo(1);
        // A client that goes away frees its slot too.
        subscriptions.get(subscriptions.size() - 1).dispose();
        assertThat(limit.inFlight()).isZero();
        assertThat(limit.rejected()).isEqualTo(1);
    }

    @Test
    void aHandlerThatThrowsDoesNotLeakASlot() {
        InFlightRequestLimit limit = new InFlightRequestLimit(1, Duration.ofSeconds(1));
        HttpHandler handler = limit.decorate((request, response) -> {
            throw new IllegalStateException("broken");
        });

        assertThatThrownBy(() -> handler.handle(MockServerHttpRequest.get("/").build(),
                new MockServerHttpResponse())).isInstanceOf(IllegalStateException.class);
        assertThat(limit.inFlight()).isZero();
    }

    @Test
    void rejectsNonsensicalLimits() {
        assertThatThrownBy(() -> new InFlightRequestLimit(0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
