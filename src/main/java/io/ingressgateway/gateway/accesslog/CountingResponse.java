package io.ingressgateway.gateway.accesslog;

import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The response of a logged request: counts the body bytes written to the client (nginx's {@code $body_bytes_sent})
 * and carries the request's {@link AccessLogRecord} to the filters that add to it.
 */
final class CountingResponse extends ServerHttpResponseDecorator {

    final AccessLogRecord record;

    CountingResponse(ServerHttpResponse delegate, AccessLogRecord record) {
        super(delegate);
        this.record = record;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        // A Mono stays a Mono: the response then sets its Content-Length from the single buffer, as without the log.
        if (body instanceof Mono<? extends DataBuffer> single) {
            return super.writeWith(single.doOnNext(this::count));
        }
        return super.writeWith(Flux.from(body).doOnNext(this::count));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(part -> Flux.from(part).doOnNext(this::count)));
    }

    private void count(DataBuffer buffer) {
        record.bytesSent += buffer.readableByteCount();
    }
}
