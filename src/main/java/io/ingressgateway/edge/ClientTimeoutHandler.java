package io.ingressgateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The header and body timeouts of one HTTP/1.1 connection. It sits right after the HTTP codec, so it sees each
 * decoded request and every response going out; a tap right before the codec tells it when bytes arrived that did
 * not yet make a whole request head (the codec passes nothing on for those).
 *
 * <ul>
 *   <li>Header deadline: armed when the connection starts (its first request) and, between requests, by the first
 *       byte of the next one; disarmed when the request head is decoded. Bytes arriving do not push it back, which
 *       is what stops a slowloris. Past it: {@code 408} if part of a head had arrived, else a silent close (nginx
 *       closes without an answer too), and the connection's slot is freed.</li>
 *   <li>Body timeout: while a request body is being read, the time since the client last sent a byte. It only runs
 *       while the gateway wants the body (the channel reads): a body held back because the upstream is slow to take
 *       it is not the client's fault. Past it: {@code 408} if no response has started, and the connection is closed,
 *       which cancels the upstream request and gives back the request's in-flight place.</li>
 * </ul>
 * One timer per connection, rescheduled lazily, so a request costs a few field writes, not a timer.
 *
 * <p>On {@code 101 Switching Protocols} both handlers leave and a {@link WebSocketIdleTimeout} takes over.
 */
final class ClientTimeoutHandler extends ChannelDuplexHandler implements Runnable {

    private static final long NONE = Long.MIN_VALUE;
    private static final byte[] TIMEOUT_BODY = "408 Request Timeout\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientTimeouts settings;
    private final ChannelHandler bytesTap = new BytesTap();
    private ChannelHandlerContext ctx;

    private long headerDeadline = NONE;
    /** Whether part of the head the header deadline waits for has arrived (else the client has said nothing). */
    private boolean headStarted;
    private long bodyDeadline = NONE;
    private boolean bodyOpen;
    /** Request heads decoded whose final response has not been written yet. */
    private int awaitingResponse;
    private boolean responseStarted;
    private boolean informationalResponse;
    private boolean bytesInThisRead;
    private boolean headInThisRead;
    private boolean timedOut;

    private ScheduledFuture<?> timer;
    private long timerDue;

    ClientTimeoutHandler(ClientTimeouts settings) {
        this.settings = settings;
    }

    ChannelHandler bytesTap() {
        return bytesTap;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            awaitFirstRequest();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        awaitFirstRequest();
        super.channelActive(ctx);
    }

    /** nginx counts the first request's header timeout from the connection's start, not from its first byte. */
    private void awaitFirstRequest() {
        if (headerDeadline == NONE && awaitingResponse == 0 && !bodyOpen) {
            headerDeadline = System.nanoTime() + settings.headerTimeoutNanos();
            schedule();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (timedOut && msg instanceof HttpObject decoded && decoded.decoderResult().isFailure()) {
            // The codec's complaint that the connection closed mid-head: it was closed here, on purpose. Passed on,
            // it would be logged as a warning, once per slowloris connection.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            headInThisRead = true;
            headerDeadline = NONE;
            headStarted = false;
            awaitingResponse++;
            bodyOpen = !(msg instanceof LastHttpContent);
            if (bodyOpen) {
                bodyDeadline = System.nanoTime() + settings.bodyTimeoutNanos();
            }
        }
        if (msg instanceof LastHttpContent) {
            bodyOpen = false;
            bodyDeadline = NONE;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (bytesInThisRead) {
            long now = System.nanoTime();
            if (bodyOpen) {
                bodyDeadline = now + settings.bodyTimeoutNanos();
            } else if (!headInThisRead && awaitingResponse == 0 && headerDeadline == NONE) {
                // Bytes that made no whole head, with nothing else going on: a request has begun.
                headerDeadline = now + settings.headerTimeoutNanos();
            }
            if (headerDeadline != NONE && !headInThisRead) {
                headStarted = true;
            }
        }
        bytesInThisRead = false;
        headInThisRead = false;
        schedule();
        super.channelReadComplete(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean switchingProtocols = false;
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            switchingProtocols = code == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
            informationalResponse = code < 200;
            responseStarted = !informationalResponse;
        }
        if (msg instanceof LastHttpContent && responseStarted) {
            responseStarted = false;
            if (awaitingResponse > 0) {
                awaitingResponse--;
            }
        }
        ctx.write(msg, promise);
        if (switchingProtocols) {
            upgrade(ctx);
        }
    }

    /** The connection is no longer HTTP/1.1: the WebSocket's own timeout replaces the header and body timeouts. */
    private void upgrade(ChannelHandlerContext ctx) {
        cancelTimer();
        headerDeadline = NONE;
        bodyDeadline = NONE;
        ctx.pipeline().remove(bytesTap);
        ctx.pipeline().replace(this, ClientTimeouts.WEBSOCKET_HANDLER_NAME, settings.upgraded(ctx.channel()));
    }

    /** Makes sure the timer fires by the earliest deadline; a timer due earlier than that is kept and re-checks. */
    private void schedule() {
        long next = earliestDeadline();
        if (next == NONE || ctx == null) {
            return;
        }
        if (timer != null) {
            if (timerDue - next <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerDue = next;
        timer = ctx.executor().schedule(this, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private long earliestDeadline() {
        if (headerDeadline == NONE) {
            return bodyDeadline;
        }
        if (bodyDeadline == NONE) {
            return headerDeadline;
        }
        return headerDeadline - bodyDeadline <= 0 ? headerDeadline : bodyDeadline;
    }

    /** The timer: on the connection's event loop. */
    @Override
    public void run() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (bodyDeadline != NONE && now - bodyDeadline >= 0) {
            if (ctx.channel().config().isAutoRead()) {
                bodyTimedOut();
                return;
            }
            // The gateway is not reading the body just now (the upstream is slow to take it): the client is not late.
            bodyDeadline = now + settings.bodyTimeoutNanos();
        }
        if (headerDeadline != NONE && now - headerDeadline >= 0) {
            headerTimedOut();
            return;
        }
        schedule();
    }

    private void headerTimedOut() {
        timedOut = true;
        settings.headerTimedOut();
        headerDeadline = NONE;
        if (headStarted) {
            answerTimeoutAndClose();
        } else {
            ctx.close();
        }
    }

    private void bodyTimedOut() {
        timedOut = true;
        settings.bodyTimedOut();
        bodyDeadline = NONE;
        if (awaitingResponse > 0 && !responseStarted) {
            answerTimeoutAndClose();
        } else {
            ctx.close();
        }
    }

    /**
     * Written from here it goes straight to the codec: no response is under way on this connection (checked by the
     * caller), so the codec expects a new one. The request's own handling learns of the close and is cancelled.
     */
    private void answerTimeoutAndClose() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(TIMEOUT_BODY));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, TIMEOUT_BODY.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        responseStarted = true;
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    /** Right before the codec: sees the raw (decrypted) bytes, which the codec keeps until it has a whole head. */
    private final class BytesTap extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                bytesInThisRead = true;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
