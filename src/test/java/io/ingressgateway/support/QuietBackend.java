package io.ingressgateway.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An upstream on 127.0.0.1 that sends no {@code Server} header (the JDK's HTTP server adds none), like the echo
 * backend of the public Ingress conformance suite: {@code /own-server} answers with a {@code Server} of its own,
 * {@code /hold} waits until {@link #release()} (or a minute), every other path answers 200 {@code hello}.
 */
public final class QuietBackend implements AutoCloseable {

    public static final String OWN_SERVER = "upstream-own/1.0";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "quiet-backend");
        thread.setDaemon(true);
        return thread;
    });
    private volatile CountDownLatch held = new CountDownLatch(1);

    public QuietBackend() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(threads);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Lets every request waiting on {@code /hold} be answered, and later ones wait again. */
    public void release() {
        CountDownLatch current = held;
        held = new CountDownLatch(1);
        current.countDown();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/hold")) {
                try {
                    held.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (path.equals("/own-server")) {
                exchange.getResponseHeaders().set("Server", OWN_SERVER);
            }
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }
}
