package io.ingressgateway.gateway.ratelimit;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code limit-rate} and {@code limit-rate-after}: a response is sent at most at a rate, past its first bytes, as
 * nginx's {@code limit_rate} and {@code limit_rate_after} pace a response to its connection. Past the free bytes, the
 * response leaves in pieces of about a tenth of a second's worth (at least 1 KiB), each once the bytes before it are
 * due, whatever the sizes of the chunks the upstream's answer came in; waiting costs a timer, not a thread. The
 * pieces are copies (a paced response is slow by design, so the copy costs nothing that matters).
 */
final class ResponsePacing {

    private ResponsePacing() {
    }

    /**
     * The exchange whose response is paced at {@code bytesPerSecond} past its first {@code freeBytes} bytes, counted
     * from now (nginx counts from the start of the response's sending; the upstream's time to answer is the
     * difference).
     */
    static ServerWebExchange paced(ServerWebExchange exchange, long bytesPerSecond, long freeBytes) {
        Pace pace = new Pace(bytesPerSecond, freeBytes);
        ServerHttpResponse response = new ServerHttpResponseDecorator(exchange.getResponse()) {
            @Override
            public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
                return super.writeWith(pace.apply(body));
            }

            @Override
            public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
                return super.writeAndFlushWith(Flux.from(body).map(pace::apply));
            }
        };
        return exchange.mutate().response(response).build();
    }

    /** The bytes of one response sent so far, and when pacing started. */
    private static final class Pace {
        private final long bytesPerSecond;
        private final long freeBytes;
        private final long startNanos = System.nanoTime();
        private long sent;

        private final int pieceSize;

        Pace(long bytesPerSecond, long freeBytes) {
            this.bytesPerSecond = bytesPerSecond;
            this.freeBytes = freeBytes;
            this.pieceSize = (int) Math.min(1024 * 1024, Math.max(1024, bytesPerSecond / 10));
        }

        Flux<DataBuffer> apply(Publisher<? extends DataBuffer> body) {
            return Flux.<DataBuffer>from(body)
                    .concatMap(this::pieces)
                    .concatMap(buffer -> {
                        long paid = sent - freeBytes;
                        sent += buffer.readableByteCount();
                        if (paid <= 0) {
                            return Mono.just(buffer);
                        }
                        long due = startNanos + paid * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond;
                        long wait = due - System.nanoTime();
                        return wait <= 0 ? Mono.just(buffer)
                                : Mono.just(buffer).delayElement(Duration.ofNanos(wait));
                    })
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
        }

        /** The buffer itself when it is small or within the free bytes, else copies of its pieces (it is released). */
        private Flux<DataBuffer> pieces(DataBuffer buffer) {
            int length = buffer.readableByteCount();
            if (length <= pieceSize) {
                return Flux.just(buffer);
            }
            DataBufferFactory factory = buffer.factory();
            byte[] bytes = new byte[length];
            buffer.read(bytes);
            DataBufferUtils.release(buffer);
            return Flux.range(0, (length + pieceSize - 1) / pieceSize).map(piece -> factory
                    .wrap(Arrays.copyOfRange(bytes, piece * pieceSize,
                            Math.min(length, (piece + 1) * pieceSize))));
        }
    }
}
