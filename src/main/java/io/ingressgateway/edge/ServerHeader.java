package io.ingressgateway.edge;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/**
 * The {@code Server} header of every answer on the public listeners (nginx's {@code server_tokens}): added as the
 * response is committed, when nothing set one by then, so an upstream's own {@code Server} (copied onto the response
 * by the routing filter) is kept and is never sent twice.
 *
 * <p>It decorates the whole HTTP handler, outside the listener's own checks, so the gateway's refusals (invalid Host,
 * in-flight limit, early retry) carry it like routed answers, error pages and redirects; the management server
 * builds a handler of its own and never sees it. Answers Reactor Netty writes before the handler runs (a request line
 * or header block over the limits: 414, 431, or an undecodable request: 400) carry none.
 */
public final class ServerHeader {

    private final String value;

    /** @param value the header's value; null or empty for none */
    public ServerHeader(String value) {
        this.value = value == null || value.isEmpty() ? null : value;
    }

    public HttpHandler decorate(HttpHandler delegate) {
        if (value == null) {
            return delegate;
        }
        return (request, response) -> {
            response.beforeCommit(() -> addIfAbsent(response));
            return delegate.handle(request, response);
        };
    }

    private Mono<Void> addIfAbsent(ServerHttpResponse response) {
        HttpHeaders headers = response.getHeaders();
        if (!headers.containsHeader(HttpHeaders.SERVER)) {
            headers.set(HttpHeaders.SERVER, value);
        }
        return Mono.empty();
    }

    /** The value sent, or null when none is. */
    public String value() {
        return value;
    }
}
