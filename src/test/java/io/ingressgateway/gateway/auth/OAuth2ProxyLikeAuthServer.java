package io.ingressgateway.gateway.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An auth service on loopback that answers as oauth2-proxy's {@code /oauth2/auth} does: 202 with
 * {@code X-Auth-Request-User} and {@code X-Auth-Request-Email} for a request carrying its session cookie, 401
 * otherwise; plus paths answering fixed statuses, a path that sets a cookie, and one that answers too late. Records
 * every request it receives.
 */
final class OAuth2ProxyLikeAuthServer implements AutoCloseable {

    static final String SESSION_COOKIE = "_oauth2_proxy";

    /** One request as received. */
    record Received(String method, String uri, Map<String, List<String>> headers, int bodyBytes) {

        String header(String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name)) {
                    return String.join(", ", header.getValue());
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> hitsByPath = new ConcurrentHashMap<>();

    OAuth2ProxyLikeAuthServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    List<Received> requests() {
        return List.copyOf(received);
    }

    Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("the auth server received no request");
        }
        return received.get(received.size() - 1);
    }

    int hits(String path) {
        AtomicInteger hits = hitsByPath.get(path);
        return hits == null ? 0 : hits.get();
    }

    void reset() {
        received.clear();
        hitsByPath.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int bodyBytes;
        try (InputStream body = exchange.getRequestBody()) {
            bodyBytes = body.readAllBytes().length;
        }
        String path = exchange.getRequestURI().getRawPath();
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                Map.copyOf(exchange.getRequestHeaders()), bodyBytes));
        hitsByPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String cookies = String.valueOf(exchange.getRequestHeaders().getFirst("Cookie"));
        switch (path) {
            case "/oauth2/auth", "/oauth2/auth-cached", "/vars" -> {
                if (cookies.contains(SESSION_COOKIE + "=alice")) {
                    exchange.getResponseHeaders().add("X-Auth-Request-User", "alice");
                    exchange.getResponseHeaders().add("X-Auth-Request-Email", "alice@example.com");
                    answer(exchange, 202);
                } else if (cookies.contains(SESSION_COOKIE + "=bob")) {
                    // A user without an email: the header is absent from the answer.
                    exchange.getResponseHeaders().add("X-Auth-Request-User", "bob");
                    answer(exchange, 202);
                } else {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"test\"");
                    exchange.getResponseHeaders().add("Set-Cookie", "_oauth2_proxy_csrf=token; Path=/");
                    answer(exchange, 401);
                }
            }
            case "/cookies/set" -> {
                exchange.getResponseHeaders().add("Set-Cookie", "alma=armud; Path=/");
                answer(exchange, 200);
            }
            case "/slow" -> {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answer(exchange, 202);
            }
            default -> answer(exchange, path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 404);
        }
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        byte[] body = ("auth " + status).getBytes();
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
