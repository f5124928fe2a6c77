package io.ingressgateway.tls;

import io.ingressgateway.config.IngressGatewayProperties;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * What each connection of the HTTPS listener is held to, beyond the accept-path bounds it shares with the HTTP
 * listener: the HTTP/2 limits ({@code ingress-gateway.tls.http2}), and 421 Misdirected Request for a request whose
 * host is another TLS host than the connection's certificate covers.
 *
 * <p>HTTP/2 limits, with Netty doing the counting where it can:
 * <ul>
 *   <li>SETTINGS_MAX_CONCURRENT_STREAMS and SETTINGS_MAX_HEADER_LIST_SIZE are advertised and enforced by Netty's
 *       codec (a stream past the first is refused with RST_STREAM REFUSED_STREAM, a header list past the second is
 *       answered 431);</li>
 *   <li>RST_STREAM frames received (rapid reset) and sent because of the client (MadeYouReset) are limited per window
 *       by Netty's codec; Reactor Netty passes the limits on only when they are set, else Netty's defaults apply
 *       silently, so they are always set here;</li>
 *   <li>PING and SETTINGS frames are limited per window by {@link Http2FloodGuard}, which Reactor Netty has no
 *       setting for; Netty's limit on answers queued for a client that does not read stays at its default
 *       (10,000).</li>
 * </ul>
 */
public final class HttpsConnectionGuards {

    private static final Logger log = LoggerFactory.getLogger(HttpsConnectionGuards.class);

    private final IngressGatewayProperties.Tls.Http2 http2;
    private final SniCertificates certificates;
    private final HttpsListenerMetrics metrics;
    /** The {@code Server} header of the 421 (written outside the HTTP handler, which adds it elsewhere); or null. */
    private final String serverHeader;
    private volatile boolean pipelineUnexpectedLogged;

    public HttpsConnectionGuards(IngressGatewayProperties.Tls.Http2 http2, SniCertificates certificates,
                                 HttpsListenerMetrics metrics) {
        this(http2, certificates, metrics, null);
    }

    /** @param serverHeader the {@code Server} header of the 421 answers; null or empty for none */
    public HttpsConnectionGuards(IngressGatewayProperties.Tls.Http2 http2, SniCertificates certificates,
                                 HttpsListenerMetrics metrics, String serverHeader) {
        this.serverHeader = serverHeader == null || serverHeader.isEmpty() ? null : serverHeader;
        this.http2 = http2;
        this.certificates = certificates;
        this.metrics = metrics;
    }

    /** The HTTP/2 settings, and the per-connection setup once the handshake is done. */
    public HttpServer apply(HttpServer server) {
        int windowSeconds = (int) Math.min(Integer.MAX_VALUE, http2.floodWindow().toSeconds());
        return server
                .http2Settings(settings -> settings
                        .maxConcurrentStreams(http2.maxConcurrentStreams())
                        .maxHeaderListSize(http2.maxHeaderListSize().toBytes())
                        .maxDecodedRstFramesPerWindow(http2.maxResetsPerWindow(), windowSeconds)
                        .maxEncodedRstFramesPerWindow(http2.maxResetsPerWindow(), windowSeconds))
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    ChannelPipeline pipeline = channel.pipeline();
                    if (pipeline.get(NettyPipeline.H2OrHttp11Codec) != null) {
                        pipeline.addBefore(NettyPipeline.H2OrHttp11Codec, HttpsConnectionSetup.NAME,
                                new HttpsConnectionSetup(this));
                    } else if (!pipelineUnexpectedLogged) {
                        // Reactor Netty changed how it negotiates the protocol: the limits of the codec still hold.
                        pipelineUnexpectedLogged = true;
                        log.warn("HTTPS connection without an ALPN handler ({}): no 421 check and no PING/SETTINGS"
                                + " limit", pipeline.names());
                    }
                });
    }

    /** The request handler, answering misdirected requests with 421 before {@code handler} sees them. */
    public BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> answeringMisdirected(
            BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler) {
        return new MisdirectedRequests(certificates, metrics, handler, serverHeader);
    }

    /** Called once per HTTP/2 connection, after Reactor Netty has put the codec in place. */
    void onHttp2Connection(Channel channel, ChannelPipeline pipeline, Http2FrameCodec codec) {
        codec.connection().addListener(new Http2FloodCloses(metrics, channel.remoteAddress()));
        ChannelHandlerContext codecContext = pipeline.context(codec);
        pipeline.addAfter(codecContext.name(), Http2FloodGuard.NAME,
                new Http2FloodGuard(http2.maxControlFramesPerWindow(), http2.floodWindow()));
    }
}
