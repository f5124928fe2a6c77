package io.ingressgateway.tls;

import io.ingressgateway.tls.HttpsListenerMetrics.FloodReason;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs the HTTP/2 connections closed as floods: each GOAWAY the gateway sends with ENHANCE_YOUR_CALM,
 * whether from {@link Http2FloodGuard} or from one of Netty's own limits (RST_STREAM frames received or
 * provoked, control frames queued, empty DATA frames). The reason is told from the GOAWAY's debug data, which
 * carries the limit's message. One listener per connection.
 */
final class Http2FloodCloses extends Http2ConnectionAdapter {

    private static final Logger log = LoggerFactory.getLogger(Http2FloodCloses.class);

    private final HttpsListenerMetrics metrics;
    private final SocketAddress client;

    Http2FloodCloses(HttpsListenerMetrics metrics, SocketAddress client) {
        this.metrics = metrics;
        this.client = client;
    }

    @Override
    public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
        if (errorCode != Http2Error.ENHANCE_YOUR_CALM.code()) {
            return;
        }
        String message = debugData.toString(StandardCharsets.US_ASCII);
        FloodReason reason = reasonOf(message);
        metrics.floodClosed(reason);
        // Debug only: an attacker reconnecting would otherwise write a log line per connection; the counter is the
        // signal to alert on.
        log.debug("HTTP/2 connection from {} closed: {} ({})", client, reason.tag(), message);
    }

    static FloodReason reasonOf(String message) {
        if (message.contains("RST frames")) {
            return FloodReason.RESETS;
        }
        if (message.equals(Http2FloodGuard.DEBUG_DATA) || message.contains("control frames")) {
            return FloodReason.CONTROL_FRAMES;
        }
        return FloodReason.OTHER;
    }
}
