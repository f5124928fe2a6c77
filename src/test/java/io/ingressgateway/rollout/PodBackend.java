package io.ingressgateway.rollout;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend pod's HTTP server on 127.0.0.1, counting the requests it answered. It ends either as a pod whose preStop
 * has let the endpoints update go out ({@link #stopGracefully()}: the listener closes, requests in progress are
 * answered, then every connection closes) or as a killed process ({@link #kill()}: listener and connections closed
 * at once).
 */
final class PodBackend {

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads;
    private final AtomicLong served = new AtomicLong();

    PodBackend(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "pod-" + name);
            thread.setDaemon(true);
            return thread;
        });
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            served.incrementAndGet();
        });
        server.setExecutor(threads);
        server.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getAddress().getPort();
    }

    long served() {
        return served.get();
    }

    /** As a pod after its preStop: stops listening, answers what it is answering (up to 1 s: JDK 17 waits the whole delay), closes. */
    void stopGracefully() {
        server.stop(1);
        threads.shutdown();
    }

    /** As a killed process: the listener and every connection closed at once. */
    void kill() {
        server.stop(0);
        threads.shutdownNow();
    }
}
