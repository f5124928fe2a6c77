package io.ingressgateway.edge;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Plain HTTP requests on a fresh connection each (closed after the response), so that connection counts on the
 * server are predictable. Runs on Reactor Netty's default loops, which the gateway under test no longer uses.
 */
final class Requests {

    record Response(int status, String retryAfter, String body) {
    }

    private static final HttpClient CLIENT = HttpClient.create(ConnectionProvider.newConnection());

    private Requests() {
    }

    static Mono<Response> get(int port, String host, String path) {
        return CLIENT.headers(headers -> headers.set(HttpHeaderNames.HOST, host))
                .get().uri("http://127.0.0.1:" + port + path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(text -> new Response(response.status().code(),
                                response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER), text)));
    }

    /** The response, or an exception when none arrives within the timeout. */
    static Response get(int port, String host, String path, Duration timeout) {
        return get(port, host, path).block(timeout);
    }

    static CompletableFuture<Response> start(int port, String host, String path) {
        return get(port, host, path).toFuture();
    }

    /**
     * A management probe, answered or failed. The deadline is far above kubelet's 1 s default so a loaded CI machine
     * cannot fail a test, while a probe stuck behind the data plane (never answered) still does; kubelet's 1 s is
     * held by {@code bench/probe-starvation}.
     */
    static Response probe(int managementPort, String path) {
        return get(managementPort, "127.0.0.1", path, PROBE_DEADLINE);
    }

    static final Duration PROBE_DEADLINE = Duration.ofSeconds(10);
}
