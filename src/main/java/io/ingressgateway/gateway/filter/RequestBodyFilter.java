package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.BodyPolicy;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bounds and reads request bodies as ingress-nginx does, per route ({@link BodyPolicy}, from the Ingress's
 * {@code proxy-body-size}, {@code client-body-buffer-size} and {@code proxy-request-buffering}), with the configured
 * defaults ({@code ingress-gateway.request-body.*}, ingress-nginx's 1m) for routes whose Ingress sets nothing.
 *
 * <ul>
 *   <li>A {@code Content-Length} over the limit is answered 413 at once: the body is not read and the upstream is
 *       never contacted (nginx's {@code client_max_body_size}). Netty's codec reads exactly that many bytes, so a
 *       body within its declared length needs no counting.</li>
 *   <li>A body of unknown length (chunked, or HTTP/2 without {@code content-length}) is counted as it is read;
 *       past the limit it stops, and the client gets 413 unless the upstream's answer has already begun (then the
 *       connection is cut). The upstream connection the body was going to is closed, so the upstream never receives
 *       a complete request.</li>
 *   <li>With request buffering on (the default), up to {@code client-body-buffer-size} bytes of a body are read
 *       before the upstream is contacted: a body that fits is read whole first (a slow client holds no upstream
 *       connection, and a chunked body over a limit within that size never reaches the upstream); a longer body is
 *       streamed from there on. nginx writes such a body to a temporary file and contacts the upstream only once it
 *       has all of it; the gateway holds no body on disk.</li>
 * </ul>
 *
 * <p>A request without a body (no {@code Content-Length} or 0, no {@code Transfer-Encoding}: GETs, WebSocket
 * upgrades) costs two header reads here, and its route's policy is not even looked at.
 */
public class RequestBodyFilter implements GlobalFilter, Ordered {

    /**
     * Before the HTTPS redirect and every guard: as in nginx, whose body size check comes with the choice of the
     * location, before its rewrites and redirects, an oversized request is refused before anything else is decided.
     */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

    static final String TOO_LARGE = "The request body is larger than this service accepts.";

    private final long defaultMaxSize;
    private final long defaultBufferSize;
    private final boolean defaultBuffering;

    public RequestBodyFilter(IngressGatewayProperties.RequestBody defaults) {
        this.defaultMaxSize = defaults.maxSize().toBytes();
        this.defaultBufferSize = defaults.bufferSize().toBytes();
        this.defaultBuffering = defaults.buffering();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        long length = headers.getContentLength();
        boolean unknownLength = length < 0 && headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
        if (length <= 0 && !unknownLength) {
            return chain.filter(exchange);
        }
        ServedRoute served = ServedRoute.of(exchange, exchange.getAttribute(GATEWAY_ROUTE_ATTR));
        BodyPolicy policy = served == null ? null : served.policy(BodyPolicy.class);
        long maxSize = policy != null && policy.maxSize() != null ? policy.maxSize() : defaultMaxSize;
        if (maxSize > 0 && length > maxSize) {
            return tooLarge(exchange, false);
        }
        // A gRPC request is a stream of messages (client and bidirectional streaming) that must reach the upstream as
        // it comes, as nginx's grpc_pass never buffers it; its size is still bounded.
        boolean buffering = !BackendProtocolPolicy.streamsRequestBodies(served == null ? null
                : served.policy(BackendProtocolPolicy.class))
                && (policy != null && policy.requestBuffering() != null ? policy.requestBuffering() : defaultBuffering);
        if (!buffering && (!unknownLength || maxSize == 0)) {
            // Streamed as it comes, and nothing to count: the stock path.
            return chain.filter(exchange);
        }
        Flux<DataBuffer> body = unknownLength && maxSize > 0 ? limited(request.getBody(), maxSize)
                : request.getBody();
        Mono<Void> forwarded;
        if (buffering) {
            long bufferSize = policy != null && policy.bufferSize() != null ? policy.bufferSize() : defaultBufferSize;
            forwarded = afterFirst(body, bufferSize, exchange, chain);
        } else {
            forwarded = chain.filter(withBody(exchange, body));
        }
        return forwarded.onErrorResume(BodyTooLargeException.class, error -> tooLarge(exchange, true));
    }

    /**
     * Reads the body until {@code bufferSize} bytes (or its end) have arrived, and only then lets the request go on
     * towards the upstream, with the body it will read: the bytes held, then the rest as it comes. A body over its
     * limit within that size ends here, and the upstream is never contacted.
     */
    private static Mono<Void> afterFirst(Flux<DataBuffer> body, long bufferSize, ServerWebExchange exchange,
                                         GatewayFilterChain chain) {
        long[] held = {0};
        return body
                .bufferUntil(buffer -> (held[0] += buffer.readableByteCount()) >= bufferSize)
                .switchOnFirst((first, parts) -> {
                    if (first.hasError()) {
                        return Mono.error(first.getThrowable());
                    }
                    return chain.filter(withBody(exchange, parts.concatMapIterable(part -> part)));
                })
                .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                .doOnDiscard(List.class, RequestBodyFilter::releaseAll)
                .then();
    }

    private static void releaseAll(List<?> buffers) {
        for (Object buffer : buffers) {
            if (buffer instanceof DataBuffer dataBuffer) {
                DataBufferUtils.release(dataBuffer);
            }
        }
    }

    /** The body, ended by {@link BodyTooLargeException} once more than {@code maxSize} bytes have come. */
    static Flux<DataBuffer> limited(Flux<DataBuffer> body, long maxSize) {
        return Flux.defer(() -> {
            long[] total = {0};
            return body.handle((buffer, sink) -> {
                total[0] += buffer.readableByteCount();
                if (total[0] > maxSize) {
                    DataBufferUtils.release(buffer);
                    sink.error(new BodyTooLargeException());
                } else {
                    sink.next(buffer);
                }
            });
        });
    }

    private static ServerWebExchange withBody(ServerWebExchange exchange, Flux<DataBuffer> body) {
        ServerHttpRequest request = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return body;
            }
        };
        return exchange.mutate().request(request).build();
    }

    /**
     * 413. A declared length refused before reading is left to the server, which discards the unread body as nginx
     * does, so a client still writing it reads the answer; a body cut in the middle closes the connection after it.
     */
    private static Mono<Void> tooLarge(ServerWebExchange exchange, boolean cutMidBody) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(new BodyTooLargeException());
        }
        if (cutMidBody) {
            exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "close");
        }
        return GatewayErrorResponses.write(exchange, HttpStatus.PAYLOAD_TOO_LARGE, TOO_LARGE);
    }

    /** A body grew past its route's limit. */
    static final class BodyTooLargeException extends RuntimeException {
        BodyTooLargeException() {
            super("request body over the route's limit", null, false, false);
        }
    }
}
