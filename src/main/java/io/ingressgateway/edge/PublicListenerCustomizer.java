package io.ingressgateway.edge;

import io.netty.channel.ChannelOption;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpServer;

/**
 * Bounds the public listener's accept path: the listen backlog, and the connection limit installed on the listening
 * socket once it is bound.
 *
 * <p>Applied through the main server's factory only, never as a {@link NettyServerCustomizer} bean: the management
 * server's factory collects those beans from the parent context too, and probes must never be refused.
 */
public final class PublicListenerCustomizer implements NettyServerCustomizer {

    static final String HANDLER_NAME = "ingressGateway.connectionLimit";

    private final int backlog;
    private final ConnectionLimit connectionLimit;

    public PublicListenerCustomizer(int backlog, ConnectionLimit connectionLimit) {
        this.backlog = backlog;
        this.connectionLimit = connectionLimit;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server
                .option(ChannelOption.SO_BACKLOG, backlog)
                // Installed once the socket is bound, ahead of Reactor Netty's acceptor. A connection accepted in
                // the instant before is served but not counted (nor uncounted when it closes).
                .doOnBound(bound -> bound.channel().pipeline().addFirst(HANDLER_NAME, connectionLimit));
    }
}
