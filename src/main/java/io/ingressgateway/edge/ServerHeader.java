package io.ingressgateway.edge;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.netty.NettyPipeline;

/**
 * The {@code Server} header of every answer on the public listeners (nginx's {@code server_tokens}): added as the
 * response is committed, when nothing set one by then, so an upstream's own {@code Server} (copied onto the response
 * by the routing filter) is kept and is never sent twice.
 *
 * <p>It decorates the whole HTTP handler, outside the listener's own checks, so the gateway's refusals (invalid Host,
 * in-flight limit, early retry) carry it like routed answers, error pages and redirects; the management server
 * builds a handler of its own and never sees it. The answers Reactor Netty writes before the handler runs (a request
 * line or header block over the limits: 414, 431; an undecodable request: 400) get it from a channel handler on the
 * HTTP listener ({@link #onReactorNettyAnswers()}); on the HTTPS listener, whose HTTP codec is chosen by ALPN after the
 * handshake, they carry none.
 */
public final class ServerHeader {

    static final String HANDLER_NAME = "ingressGateway.serverHeader";

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

    /**
     * Adds the header to every HTTP/1.1 response head written on a connection of the listener it customizes that has
     * none, Reactor Netty's own answers to requests it could not decode included. For the main server's factory
     * only: the management server's never sees it.
     */
    public NettyServerCustomizer onReactorNettyAnswers() {
        if (value == null) {
            return server -> server;
        }
        ChannelHandler handler = new ResponseHeadWriter(value);
        return server -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpCodec) != null) {
                pipeline.addAfter(NettyPipeline.HttpCodec, HANDLER_NAME, handler);
            }
        });
    }

    /** Sets the header on a response head without one, as it passes on its way to the codec. */
    @ChannelHandler.Sharable
    private static final class ResponseHeadWriter extends ChannelOutboundHandlerAdapter {

        private final String value;

        ResponseHeadWriter(String value) {
            this.value = value;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse head && !head.headers().contains(HttpHeaderNames.SERVER)) {
                head.headers().set(HttpHeaderNames.SERVER, value);
            }
            ctx.write(msg, promise);
        }
    }

    /** The value sent, or null when none is. */
    public String value() {
        return value;
    }
}
