package io.ingressgateway.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.Certificate;

/**
 * Watches one HTTPS connection until its handshake completes, then removes itself. It sits between the TLS handler
 * and the ALPN handler, so it sees the SNI name chosen and then the handshake's completion before the ALPN handler
 * builds the HTTP/1.1 or HTTP/2 pipeline. It lets that happen first, then:
 * <ul>
 *   <li>records the SNI name and the names of the certificate sent ({@link ConnectionTls}) for the misdirected
 *       request check of each request;</li>
 *   <li>on HTTP/2, installs the {@link Http2FloodGuard} after the frame codec, and the counting of flood closes.</li>
 * </ul>
 */
final class HttpsConnectionSetup extends ChannelInboundHandlerAdapter {

    static final String NAME = "ingressGateway.httpsConnectionSetup";

    private final HttpsConnectionGuards guards;
    private String serverName;

    HttpsConnectionSetup(HttpsConnectionGuards guards) {
        this.guards = guards;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof SniCompletionEvent sni) {
            serverName = sni.hostname();
            ctx.fireUserEventTriggered(event);
            return;
        }
        if (!(event instanceof SslHandshakeCompletionEvent handshake)) {
            ctx.fireUserEventTriggered(event);
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        // The ALPN handler configures the protocol's pipeline while handling this event.
        ctx.fireUserEventTriggered(event);
        if (handshake.isSuccess()) {
            SslHandler ssl = pipeline.get(SslHandler.class);
            Certificate[] sent = ssl == null ? null : ssl.engine().getSession().getLocalCertificates();
            ctx.channel().attr(ConnectionTls.KEY).set(ConnectionTls.of(serverName, sent));
            Http2FrameCodec codec = pipeline.get(Http2FrameCodec.class);
            if (codec != null) {
                guards.onHttp2Connection(ctx.channel(), pipeline, codec);
            }
        }
        if (!ctx.isRemoved()) {
            pipeline.remove(this);
        }
    }
}
