package io.ingressgateway.tls;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * An upstream on 127.0.0.1 that answers 200 with its name at once, except under {@code /held/}, where requests wait
 * until {@link #release()}: a test of a concurrency limit then knows the requests let through are still in progress.
 * It accepts request headers as large as 256 KiB, so the gateway's own header limits are the ones tested.
 */
final class HeldBackend implements AutoCloseable {

    static final String NAME = "backend";

    private final LoopResources loops = LoopResources.create("held-backend", 1, 1, true);
    private final AtomicInteger held = new AtomicInteger();
    private volatile Sinks.Empty<Void> gate = Sinks.empty();
    private final DisposableServer server;

    HeldBackend() {
        byte[] body = NAME.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .httpRequestDecoder(spec -> spec.maxHeaderSize(256 * 1024))
                .handle((request, response) -> {
                    Mono<Void> answer = response.header("Content-Type", "text/plain")
                            .header("Content-Length", Integer.toString(body.length))
                            .sendByteArray(Mono.just(body)).then();
                    if (!request.uri().startsWith("/held/")) {
                        return answer;
                    }
                    held.incrementAndGet();
                    return gate.asMono().then(answer).doFinally(signal -> held.decrementAndGet());
                })
                .bindNow();
    }

    int port() {
        return server.port();
    }

    /** Requests waiting under {@code /held/} right now. */
    int held() {
        return held.get();
    }

    /** Answers every waiting request; later ones under {@code /held/} wait for the next release. */
    synchronized void release() {
        Sinks.Empty<Void> released = gate;
        gate = Sinks.empty();
        released.tryEmitEmpty();
    }

    @Override
    public void close() {
        release();
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
}
