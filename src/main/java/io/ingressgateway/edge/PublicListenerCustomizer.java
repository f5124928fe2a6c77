package io.ingressgateway.edge;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.client.TrustedProxies;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.http.server.HttpRequestDecoderSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.ProxyProtocolSupportType;

/**
 * Bounds a public listener (the HTTP one Boot runs, and the HTTPS one): the listen backlog and the connection limit
 * installed on the listening socket once it is bound; the keep-alive idle timeout, the request line and header size
 * limits, and each HTTP/1.1 connection's header, body and WebSocket timeouts ({@link ClientTimeouts}).
 *
 * <p>Applied through the main server's factory and by the HTTPS listener only, never as a
 * {@link NettyServerCustomizer} bean: the management server's factory collects those beans from the parent context
 * too, and probes must never be refused nor timed out.
 */
public final class PublicListenerCustomizer implements NettyServerCustomizer {

    static final String HANDLER_NAME = "ingressGateway.connectionLimit";

    private final int backlog;
    private final ConnectionLimit connectionLimit;
    private final Duration keepAliveTimeout;
    private final int maxRequestLineLength;
    private final int maxRequestHeadersSize;
    private final ClientTimeouts clientTimeouts;
    /** The trusted proxies when the listeners expect PROXY protocol headers, else null. */
    private final TrustedProxies proxyProtocolSenders;

    public PublicListenerCustomizer(IngressGatewayProperties.Listener settings, ConnectionLimit connectionLimit,
                                    ClientTimeouts clientTimeouts) {
        this(settings, connectionLimit, clientTimeouts, null);
    }

    /**
     * @param clientAddress the client address settings: with {@code use-proxy-protocol}, every connection must start
     *                      with a PROXY protocol header (v1 or v2); null for none
     */
    public PublicListenerCustomizer(IngressGatewayProperties.Listener settings, ConnectionLimit connectionLimit,
                                    ClientTimeouts clientTimeouts, IngressGatewayProperties.ClientAddress clientAddress) {
        this.proxyProtocolSenders = clientAddress != null && clientAddress.useProxyProtocol()
                ? TrustedProxies.of(clientAddress.proxyRealIpCidr()) : null;
        this.backlog = settings.backlog();
        this.connectionLimit = connectionLimit;
        this.keepAliveTimeout = settings.keepAliveTimeout();
        this.maxRequestLineLength = (int) settings.maxRequestLineLength().toBytes();
        this.maxRequestHeadersSize = (int) settings.maxRequestHeadersSize().toBytes();
        this.clientTimeouts = clientTimeouts;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        HttpRequestDecoderSpec current = server.configuration().decoder();
        if (proxyProtocolSenders != null) {
            // ON, not AUTO: a connection without the header is refused, so no client reaching the listener directly
            // can pass for another by leaving it out where the load balancer would have put one.
            server = server.proxyProtocol(ProxyProtocolSupportType.ON);
        }
        return server
                .option(ChannelOption.SO_BACKLOG, backlog)
                // Reactor Netty's idle timeout runs only between requests (from the connection's start or the end
                // of a response until the next request's head is decoded), which is nginx's keepalive_timeout. It
                // sits after the HTTP codec, so bytes of an unfinished head do not restart it either; but it closes
                // silently, so with the default 75 s the 60 s header deadline of ClientTimeouts comes first.
                .idleTimeout(keepAliveTimeout)
                // Past these Reactor Netty answers 414 (request line) and 431 (headers) and closes the connection.
                // The decoder settings are replaced as a whole: the others are kept as they were configured.
                .httpRequestDecoder(spec -> spec
                        .maxInitialLineLength(maxRequestLineLength)
                        .maxHeaderSize(maxRequestHeadersSize)
                        .validateHeaders(current.validateHeaders())
                        .initialBufferSize(current.initialBufferSize())
                        .allowDuplicateContentLengths(current.allowDuplicateContentLengths())
                        .allowPartialChunks(current.allowPartialChunks())
                        .h2cMaxContentLength(current.h2cMaxContentLength()))
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    clientTimeouts.install(channel);
                    if (proxyProtocolSenders != null) {
                        ProxyProtocolSource.install(channel, proxyProtocolSenders, connectionLimit);
                    }
                })
                // Installed once the socket is bound, ahead of Reactor Netty's acceptor. A connection accepted in
                // the instant before is served but not counted (nor uncounted when it closes).
                .doOnBound(bound -> bound.channel().pipeline().addFirst(HANDLER_NAME, connectionLimit));
    }
}
