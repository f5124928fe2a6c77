package io.ingressgateway.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after an HTTP/2 connection's {@link Http2FrameCodec}, which hands it every connection-level frame it
 * decoded, and does two things there.
 *
 * <p>It closes a connection whose client sends more PING and SETTINGS frames in one window than the limit (the PING
 * and SETTINGS floods of CVE-2019-9512 and CVE-2019-9515). Each of those frames makes the gateway decode, act and
 * answer; a client that also reads the answers is never caught by Netty's limit on queued answers, which only counts
 * answers the client has not read. Legitimate clients send one SETTINGS at the start and a PING now and then (a
 * browser checking a connection, gRPC keep-alive at most every few seconds). Past the limit it sends GOAWAY with
 * ENHANCE_YOUR_CALM and closes the connection at once, as Netty does for its own flood limits; streams still open on
 * the connection end with it.
 *
 * <p>It also ends, here, the connection errors the codec passes on after answering them with GOAWAY: those of Netty's
 * own flood limits (too many RST_STREAM frames, say) and protocol errors (a corrupt preface). Past this handler
 * nothing handles them, so each abusive or broken client would log a warning with a stack trace, one per connection;
 * they are logged at DEBUG, and {@link Http2FloodCloses} counts the flood closes.
 */
final class Http2FloodGuard extends ChannelInboundHandlerAdapter {

    static final String NAME = "ingressGateway.http2FloodGuard";
    /** GOAWAY debug data; {@link Http2FloodCloses} tells the reason from it. */
    static final String DEBUG_DATA = "Maximum number of PING and SETTINGS frames reached";

    private static final Logger log = LoggerFactory.getLogger(Http2FloodGuard.class);

    private final int maxControlFramesPerWindow;
    private final long nanosPerWindow;
    private long windowStart;
    private int inWindow;
    private boolean closing;

    /** @param maxControlFramesPerWindow PING and SETTINGS frames allowed per window; 0 for no limit */
    Http2FloodGuard(int maxControlFramesPerWindow, Duration window) {
        this.maxControlFramesPerWindow = maxControlFramesPerWindow;
        this.nanosPerWindow = window.toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (maxControlFramesPerWindow > 0
                && ((msg instanceof Http2PingFrame ping && !ping.ack()) || msg instanceof Http2SettingsFrame)) {
            if (closing) {
                return; // neither frame holds a buffer; the connection is going away
            }
            long now = System.nanoTime();
            if (inWindow == 0 || now - windowStart >= nanosPerWindow) {
                windowStart = now;
                inWindow = 1;
            } else if (++inWindow > maxControlFramesPerWindow) {
                close(ctx);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        // Connection errors only: the codec has answered them with GOAWAY and is closing. A stream's error goes on
        // to its stream.
        if (http2 != null && !(cause instanceof Http2FrameStreamException)
                && !(http2 instanceof Http2Exception.StreamException)) {
            log.debug("HTTP/2 connection error from {}: {}", ctx.channel().remoteAddress(), http2.toString());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void close(ChannelHandlerContext ctx) {
        closing = true;
        ByteBuf debugData = ByteBufUtil.writeAscii(ctx.alloc(), DEBUG_DATA);
        // Written through the codec, which fills in the last stream id; then closed below the codec, as Netty's own
        // connection errors are, so no graceful wait for the open streams.
        ChannelHandlerContext codec = ctx.pipeline().context(Http2FrameCodec.class);
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM, debugData))
                .addListener((ChannelFutureListener) written -> {
                    if (codec != null && !codec.isRemoved()) {
                        codec.close();
                    } else {
                        written.channel().close();
                    }
                });
    }
}
