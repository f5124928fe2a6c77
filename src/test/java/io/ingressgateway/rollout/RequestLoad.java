package io.ingressgateway.rollout;

import io.ingressgateway.support.PlainHttpConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A few clients, each on its own thread with one keep-alive HTTP/1.1 connection, sending GET requests back to back
 * for as long as the load runs. A client never retries: a request that fails (no complete answer, or any status but
 * 200) is counted and the client starts over on a new connection. When an answer says {@code Connection: close} the
 * client opens a new connection for its next request, as every HTTP/1.1 client does.
 */
final class RequestLoad implements AutoCloseable {

    private final List<Thread> clients = new ArrayList<>();
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong closingAnswers = new AtomicLong();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    /**
     * @param port    where the clients connect
     * @param host    the Host header
     * @param clients how many clients run at once
     */
    RequestLoad(int port, String host, int clients) {
        for (int i = 0; i < clients; i++) {
            Thread thread = new Thread(() -> run(port, host), "load-" + i);
            thread.setDaemon(true);
            this.clients.add(thread);
        }
        this.clients.forEach(Thread::start);
    }

    private void run(int port, String host) {
        String request = "GET /rollout HTTP/1.1\r\nHost: " + host + "\r\nAccept: */*\r\n\r\n";
        PlainHttpConnection connection = new PlainHttpConnection(port, host, Duration.ofSeconds(60));
        while (!stopped) {
            try {
                PlainHttpConnection.Response response = connection.send(request);
                if (response.status() != 200) {
                    fail("status " + response.status() + ": " + response.body());
                    connection.close();
                    connection = new PlainHttpConnection(port, host, Duration.ofSeconds(60));
                    continue;
                }
                succeeded.incrementAndGet();
                if ("close".equalsIgnoreCase(response.header("connection"))) {
                    closingAnswers.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                if (stopped) {
                    break;
                }
                fail(e.getClass().getSimpleName() + ": " + e.getMessage());
                connection.close();
                connection = new PlainHttpConnection(port, host, Duration.ofSeconds(60));
            }
        }
        connection.close();
    }

    private void fail(String why) {
        failed.incrementAndGet();
        if (failures.size() < 20) {
            failures.add(why);
        }
    }

    long succeeded() {
        return succeeded.get();
    }

    long failed() {
        return failed.get();
    }

    /** Answers that carried {@code Connection: close}. */
    long closingAnswers() {
        return closingAnswers.get();
    }

    /** The first failures, for the assertion message. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops the clients after the request each one is making (waits for it). */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(90).toMillis());
        }
    }
}
