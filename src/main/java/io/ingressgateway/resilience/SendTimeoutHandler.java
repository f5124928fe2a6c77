package io.ingressgateway.resilience;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.WriteTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * nginx's {@code proxy_send_timeout} on one upstream connection while a request is being sent: the request fails
 * with a {@link WriteTimeoutException} (and the connection is closed) when bytes wait to be written and none of them
 * has left for the whole timeout. Any progress restarts the clock, so a large upload to an upstream that reads slowly
 * but steadily never times out, however long it takes; and while nothing waits (the client is still sending its body,
 * or the request is all sent) there is nothing to time.
 *
 * <p>Netty's {@code WriteTimeoutHandler} times each write from when it was issued, so writes queued behind a slow but
 * moving transfer would time out although the upstream never stopped reading; its {@code IdleStateHandler} always
 * reports the first idle period after a completed write, progress or not. Hence this one: it looks at the
 * connection's outbound buffer every quarter of the timeout, so it fires between 1 and 1.25 timeouts after the last
 * progress.
 */
final class SendTimeoutHandler extends ChannelDuplexHandler {

    private final long timeoutNanos;
    private ScheduledFuture<?> check;
    private long lastProgressNanos;
    private Object lastMessage;
    private long lastPendingBytes;
    private long lastFlushProgress;

    SendTimeoutHandler(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastProgressNanos = System.nanoTime();
        long period = Math.max(1, timeoutNanos / 4);
        check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void check(ChannelHandlerContext ctx) {
        if (check == null) {
            return;
        }
        long now = System.nanoTime();
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        Object current = buffer == null ? null : buffer.current();
        long progress = buffer == null ? 0 : buffer.currentProgress();
        boolean moved = current != lastMessage || pending != lastPendingBytes || progress != lastFlushProgress;
        lastMessage = current;
        lastPendingBytes = pending;
        lastFlushProgress = progress;
        if (pending == 0 || moved) {
            lastProgressNanos = now;
            return;
        }
        if (now - lastProgressNanos >= timeoutNanos) {
            stop();
            ctx.fireExceptionCaught(WriteTimeoutException.INSTANCE);
            ctx.close();
        }
    }
}
