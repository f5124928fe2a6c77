package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A route's response that, when its status is one its Ingress intercepts, is never written: its body is read and
 * dropped (so the upstream connection can be reused) and the error backend's answer is written in its place. The
 * decision is taken once, at the first write, when the status is known and nothing is committed yet.
 */
final class ErrorPageResponse extends ServerHttpResponseDecorator {

    private final ServerWebExchange original;
    private final ServedRoute served;
    private final ErrorPagePolicy policy;
    private final ErrorPageClient client;
    private final AtomicBoolean decided = new AtomicBoolean();

    /** @param original the exchange as the client sent its request, before any filter changed it */
    ErrorPageResponse(ServerWebExchange original, ServedRoute served, ErrorPagePolicy policy, ErrorPageClient client) {
        super(original.getResponse());
        this.original = original;
        this.served = served;
        this.policy = policy;
        this.client = client;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        Endpoint errorBackend = errorBackend();
        if (errorBackend == null) {
            return super.writeWith(body);
        }
        return drain(Flux.from(body))
                .then(Mono.defer(() -> client.serve(original, getDelegate(), served, status(), errorBackend)));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        Endpoint errorBackend = errorBackend();
        if (errorBackend == null) {
            return super.writeAndFlushWith(body);
        }
        return drain(Flux.from(body).concatMap(Flux::from))
                .then(Mono.defer(() -> client.serve(original, getDelegate(), served, status(), errorBackend)));
    }

    @Override
    public Mono<Void> setComplete() {
        Endpoint errorBackend = errorBackend();
        if (errorBackend == null) {
            return super.setComplete();
        }
        return client.serve(original, getDelegate(), served, status(), errorBackend);
    }

    /**
     * Reads the route's body to its end, releasing each buffer. What is ignored is not the buffers themselves: an
     * operator ignoring elements hands them to the discard hook of the request's context, which may release them too
     * (the request body filter installs one).
     */
    private static Mono<Void> drain(Flux<? extends DataBuffer> body) {
        return body.map(DataBufferUtils::release).then();
    }

    /** Where the error page comes from, at the first write only: null to write the response as it is. */
    private Endpoint errorBackend() {
        if (!decided.compareAndSet(false, true) || getDelegate().isCommitted()) {
            return null;
        }
        int status = status();
        return policy.intercepts(status) ? client.errorBackend(policy) : null;
    }

    private int status() {
        HttpStatusCode status = getStatusCode();
        return status == null ? 200 : status.value();
    }
}
