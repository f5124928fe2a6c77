package io.ingressgateway.gateway.accesslog;

import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;
import java.net.InetAddress;
import java.net.URI;
import java.util.Arrays;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * One request's access log line, before it is written: filled by the event loop that serves the request (the
 * upstream attempts as they happen, the rest when the response is complete), then handed to the writer thread, which
 * alone formats it. Plain fields, no collections: a request makes one upstream attempt, rarely a few.
 */
public final class AccessLogRecord {

    /** Exchange attribute: the record of the request, once a routing filter has looked it up. */
    static final String ATTR = AccessLogRecord.class.getName();
    /** A status that is not known (an upstream attempt that ended without one), written as {@code -}. */
    static final int NO_STATUS = 0;
    /** A length that is not known, written as {@code -}. */
    static final long NO_LENGTH = -1;

    final long startMillis;
    final long startNanos;

    // The request, read when it ends.
    InetAddress clientAddress;
    String remoteUser;
    String method;
    URI uri;
    String protocol;
    String referer;
    String userAgent;
    long requestLength;
    String requestId;
    IngressRef ingress;
    UpstreamKey upstream;

    // The response.
    int status;
    long bytesSent;
    long requestNanos;

    // Upstream attempts, in order; arrays grown when a request is retried.
    int attempts;
    String[] upstreamAddresses;
    int[] upstreamStatuses;
    long[] upstreamNanos;
    long[] upstreamLengths;
    /** The attempt whose time still runs, or -1. */
    private int openAttempt = -1;

    AccessLogRecord(long startMillis, long startNanos) {
        this.startMillis = startMillis;
        this.startNanos = startNanos;
    }

    /**
     * The record of the exchange's request, or null when the request is not logged (the log is off, or the exchange
     * is the management server's). Callers ask only when the log is on.
     */
    public static AccessLogRecord of(ServerWebExchange exchange) {
        Object known = exchange.getAttributes().get(ATTR);
        if (known instanceof AccessLogRecord record) {
            return record;
        }
        // The response as the access log wrapped it, possibly inside the decorators filters added since.
        ServerHttpResponse response = exchange.getResponse();
        while (response instanceof ServerHttpResponseDecorator decorator) {
            if (decorator instanceof CountingResponse counting) {
                exchange.getAttributes().put(ATTR, counting.record);
                return counting.record;
            }
            response = decorator.getDelegate();
        }
        return null;
    }

    /**
     * An attempt to send the request to {@code address} starts (ending the one before, if a retry drops its answer);
     * returns its index, for {@link #upstreamAnswered} or {@link #upstreamFailed}.
     */
    public int upstreamAttemptStarts(String address) {
        long now = System.nanoTime();
        endOpenAttempt(now);
        if (upstreamAddresses == null) {
            upstreamAddresses = new String[1];
            upstreamStatuses = new int[1];
            upstreamNanos = new long[1];
            upstreamLengths = new long[1];
        } else if (attempts == upstreamAddresses.length) {
            int size = attempts * 2;
            upstreamAddresses = Arrays.copyOf(upstreamAddresses, size);
            upstreamStatuses = Arrays.copyOf(upstreamStatuses, size);
            upstreamNanos = Arrays.copyOf(upstreamNanos, size);
            upstreamLengths = Arrays.copyOf(upstreamLengths, size);
        }
        int attempt = attempts++;
        upstreamAddresses[attempt] = address;
        upstreamStatuses[attempt] = NO_STATUS;
        upstreamNanos[attempt] = now; // its start while open, its duration once ended
        upstreamLengths[attempt] = NO_LENGTH;
        openAttempt = attempt;
        return attempt;
    }

    /**
     * The upstream's response headers arrived: its status and declared body length ({@code -1} when it declared
     * none: the bytes passed on to the client then stand for it). The attempt stays open until the response is
     * complete, the body being the upstream's too.
     */
    public void upstreamAnswered(int attempt, int status, long contentLength) {
        upstreamStatuses[attempt] = status;
        upstreamLengths[attempt] = contentLength;
    }

    /** The attempt failed without an answer; {@code status} is what the gateway counts it as (502, 504), or 0. */
    public void upstreamFailed(int attempt, int status) {
        upstreamStatuses[attempt] = status;
        upstreamLengths[attempt] = 0;
        if (attempt == openAttempt) {
            endOpenAttempt(System.nanoTime());
        }
    }

    /** The response is complete: the attempt still open lasted until now and sent what reached the client. */
    void responseComplete(long nowNanos) {
        if (openAttempt >= 0 && upstreamLengths[openAttempt] == NO_LENGTH) {
            upstreamLengths[openAttempt] = bytesSent;
        }
        endOpenAttempt(nowNanos);
    }

    private void endOpenAttempt(long nowNanos) {
        if (openAttempt >= 0) {
            upstreamNanos[openAttempt] = nowNanos - upstreamNanos[openAttempt];
            if (upstreamLengths[openAttempt] == NO_LENGTH) {
                upstreamLengths[openAttempt] = 0; // an answer dropped for a retry: its body was never read
            }
            openAttempt = -1;
        }
    }
}
