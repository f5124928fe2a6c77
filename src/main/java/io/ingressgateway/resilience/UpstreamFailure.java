package io.ingressgateway.resilience;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.springframework.http.HttpStatus;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

/**
 * What went wrong talking to an upstream, read from the exception the gateway's HTTP client raised, and how the
 * client is answered. {@link #connectFailure()} kinds never reached the upstream, so an idempotent request may be
 * retried elsewhere.
 */
enum UpstreamFailure {

    /** The endpoint did not accept the connection in time. */
    CONNECT_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "The upstream service did not accept a connection in time.", true),
    /** Refused, unreachable, or a name that does not resolve. */
    CONNECT_REFUSED(HttpStatus.BAD_GATEWAY, "The upstream service refused the connection.", true),
    /**
     * An ExternalName resolved to an address no upstream may have ({@link ExternalNameResolverGroup}): nothing was
     * opened. Not retried (the name was just looked up) and not held against the upstream's circuit: it is the
     * Service's configuration, not the upstream's health.
     */
    ADDRESS_REFUSED(HttpStatus.BAD_GATEWAY, "The upstream service's address is not allowed.", false),
    /**
     * The TLS handshake with the upstream failed: its certificate was not accepted ({@code proxy-ssl-verify}), or it
     * does not speak TLS. Nothing was sent, so it may be retried elsewhere, as nginx's {@code proxy_next_upstream error}.
     */
    TLS_HANDSHAKE(HttpStatus.BAD_GATEWAY, "The TLS handshake with the upstream service failed.", true),
    /** The upstream went silent longer than the read timeout. */
    READ_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "The upstream service did not answer in time.", false),
    /** The upstream stopped taking the request: one write of it did not complete within the send timeout. */
    SEND_TIMEOUT(HttpStatus.GATEWAY_TIMEOUT, "The upstream service did not take the request in time.", false),
    /**
     * A pooled keep-alive connection was found closed when the request was to be written on it: the upstream closed
     * it (its idle timeout, a pod that just died) as the pool handed it out. Nothing was sent, so, like a refused
     * connection, any request without a body may go to another endpoint (nginx's {@code proxy_next_upstream error}).
     * Not held against the circuit: closing an idle connection is the upstream's right, and a dead pod shows as refused
     * connections on the next attempts anyway.
     */
    STALE_CONNECTION(HttpStatus.BAD_GATEWAY, "The upstream service closed the connection.", true),
    /** The upstream closed the connection before its response was complete. */
    CLOSED(HttpStatus.BAD_GATEWAY, "The upstream service closed the connection.", false),
    /** No pooled connection could be had in time, or the wait queue was full: the gateway's own limit. */
    POOL_EXHAUSTED(HttpStatus.SERVICE_UNAVAILABLE, "Too many requests are waiting for the upstream service.",
            false),
    /** Anything else: not ours to interpret. */
    OTHER(null, null, false);

    /** Reactor Netty's message for a connection found closed before anything was written on it. */
    private static final String CLOSED_BEFORE_SEND = AbortedException.beforeSend().getMessage();

    private final HttpStatus status;
    private final String message;
    private final boolean connectFailure;

    UpstreamFailure(HttpStatus status, String message, boolean connectFailure) {
        this.status = status;
        this.message = message;
        this.connectFailure = connectFailure;
    }

    HttpStatus status() {
        return status;
    }

    String message() {
        return message;
    }

    /** The request never reached the upstream: safe to send again, to another endpoint. */
    boolean connectFailure() {
        return connectFailure;
    }

    /** Whether this counts against the upstream's circuit (the pool's limit is the gateway's, not the upstream's). */
    boolean countsAsUpstreamFailure() {
        return this != POOL_EXHAUSTED && this != ADDRESS_REFUSED && this != STALE_CONNECTION && this != OTHER;
    }

    static UpstreamFailure of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            UpstreamFailure failure = direct(cause);
            if (failure != OTHER) {
                return failure;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return OTHER;
    }

    private static UpstreamFailure direct(Throwable error) {
        if (error instanceof RefusedUpstreamAddressException) {
            return ADDRESS_REFUSED;
        }
        // ConnectTimeoutException is a ConnectException: test it first.
        if (error instanceof ConnectTimeoutException) {
            return CONNECT_TIMEOUT;
        }
        if (error instanceof ConnectException || error instanceof NoRouteToHostException
                || error instanceof UnknownHostException) {
            return CONNECT_REFUSED;
        }
        if (error instanceof SSLHandshakeException || error instanceof NotSslRecordException) {
            return TLS_HANDSHAKE;
        }
        if (error instanceof ReadTimeoutException) {
            return READ_TIMEOUT;
        }
        if (error instanceof WriteTimeoutException) {
            return SEND_TIMEOUT;
        }
        if (error instanceof PrematureCloseException) {
            return CLOSED;
        }
        if (error instanceof AbortedException && CLOSED_BEFORE_SEND.equals(error.getMessage())) {
            return STALE_CONNECTION;
        }
        // Reactor Netty's pool errors live in a shaded package: match by name, not by type.
        String name = error.getClass().getSimpleName();
        if (name.equals("PoolAcquireTimeoutException") || name.equals("PoolAcquirePendingLimitException")) {
            return POOL_EXHAUSTED;
        }
        return OTHER;
    }
}
