package io.ingressgateway.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * An upstream on 127.0.0.1 that answers every request 200 after a delay that can be changed while it runs: the
 * slow application of a test, and the same application once it has recovered. Waiting costs it a timer, not a
 * thread, so it holds as many connections as it is sent (WireMock's delay holds one of its few Jetty threads).
 * It runs on event loops of its own, so it competes with the gateway for CPU only, never for loop threads, and it
 * counts the connections it has open, so a test can see the gateway give them all back.
 *
 * <p>It can also {@linkplain #hold() hold} every request it receives until {@linkplain #release() released}: a test of
 * a concurrency limit then knows that the requests let through are still in progress when the others arrive, however
 * slowly a loaded machine delivers them, where a fixed delay only makes that likely.
 */
public final class DelayingBackend implements AutoCloseable {

    private final AtomicReference<Duration> delay;
    /** While set, requests wait for it before their delay; completed by {@link #release()}. */
    private volatile Sinks.Empty<Void> gate;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicInteger maxOpenConnections = new AtomicInteger();
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicInteger maxInProgress = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final LoopResources loops;
    private final DisposableServer server;

    public DelayingBackend(String name, Duration initialDelay) {
        this.delay = new AtomicReference<>(initialDelay);
        this.loops = LoopResources.create("backend-" + name, 1, 1, true);
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        this.server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .runOn(loops)
                .doOnConnection(connection -> {
                    maxOpenConnections.accumulateAndGet(openConnections.incrementAndGet(), Math::max);
                    connection.onDispose(openConnections::decrementAndGet);
                })
                .handle((request, response) -> {
                    requests.incrementAndGet();
                    maxInProgress.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
                    // Reads the delay when the request arrives: a request already waiting keeps its delay.
                    Duration wait = delay.get();
                    Sinks.Empty<Void> held = gate;
                    // A request is over for the application once it starts answering: the gateway can only free
                    // its bulkhead place after reading the answer, so counting until the write completes would
                    // race with the next request the gateway lets through.
                    AtomicBoolean inProgressCounted = new AtomicBoolean(true);
                    Runnable done = () -> {
                        if (inProgressCounted.compareAndSet(true, false)) {
                            inProgress.decrementAndGet();
                        }
                    };
                    Mono<Void> answer = Mono.fromRunnable(done).then(response.header("Content-Type", "text/plain")
                            .header("Content-Length", Integer.toString(body.length))
                            .sendByteArray(Mono.just(body)).then());
                    Mono<Void> delayed = wait.isZero() ? answer : Mono.delay(wait).then(answer);
                    return (held == null ? delayed : held.asMono().then(delayed))
                            .doFinally(signal -> done.run());
                })
                .bindNow();
    }

    public int port() {
        return server.port();
    }

    public void delay(Duration newDelay) {
        delay.set(newDelay);
    }

    /** From now on, every request waits until {@link #release()}. */
    public synchronized void hold() {
        if (gate == null) {
            gate = Sinks.empty();
        }
    }

    /** Lets every held request go on (to its delay, then its answer), and stops holding new ones. */
    public synchronized void release() {
        Sinks.Empty<Void> held = gate;
        gate = null;
        if (held != null) {
            held.tryEmitEmpty();
        }
    }

    /** Requests received and not yet answered, right now. */
    public int inProgress() {
        return inProgress.get();
    }

    /** Connections from the gateway open right now. */
    public int openConnections() {
        return openConnections.get();
    }

    /** The most connections that were open at once. */
    public int maxOpenConnections() {
        return maxOpenConnections.get();
    }

    /**
     * The most requests it was serving at once (received, not yet answered). Unlike connections, which a client may
     * open a few more of than it has requests (one being returned to its pool while the next request starts), this
     * is the load the application felt.
     */
    public int maxInProgress() {
        return maxInProgress.get();
    }

    public long requests() {
        return requests.get();
    }

    @Override
    public void close() {
        release();
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater(Duration.ZERO, Duration.ofSeconds(2)).block(Duration.ofSeconds(5));
    }
}
