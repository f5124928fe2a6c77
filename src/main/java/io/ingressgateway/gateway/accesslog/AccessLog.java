package io.ingressgateway.gateway.accesslog;

import io.ingressgateway.config.IngressGatewayProperties.AccessLog.AccessLogFormat;
import io.ingressgateway.gateway.auth.BasicAuthFilter;
import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.filter.ProxyHeadersFilter;
import io.ingressgateway.gateway.filter.UpstreamRoutingFilter;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.UpstreamKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.AbstractServerHttpRequest;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The access log of the public listeners: wraps the whole HTTP handler (outside the listener's own checks, so refused
 * requests are logged too), fills each request's {@link AccessLogRecord} when its response is complete and hands it
 * to the {@link AccessLogWriter}, which formats and writes it on a thread of its own. Off, it wraps nothing.
 *
 * <p>What the exchange learnt (the client address a trusted proxy vouched for, the route, the upstream, the request
 * id) is read from the request's attributes, which are the exchange's once the web handler has made one; a request
 * refused before that has none, and logs its connection's peer and no upstream.
 */
public final class AccessLog {

    /** nginx's status for a request whose client went away before the response was complete. */
    static final int CLIENT_CLOSED_REQUEST = 499;

    private final AccessLogWriter writer;

    /** @param writer where records go; null when the log is off */
    public AccessLog(AccessLogWriter writer) {
        this.writer = writer;
    }

    public boolean enabled() {
        return writer != null;
    }

    public AccessLogFormat format() {
        return writer == null ? AccessLogFormat.OFF : writer.format();
    }

    /** Stops the writer once the lines queued so far are written. */
    public void close() throws InterruptedException {
        if (writer != null) {
            writer.close();
        }
    }

    /** Lines dropped because the writer's queue was full; 0 when the log is off. */
    public long dropped() {
        return writer == null ? 0 : writer.dropped();
    }

    public HttpHandler decorate(HttpHandler delegate) {
        if (writer == null) {
            return delegate;
        }
        return (request, response) -> {
            AccessLogRecord record = new AccessLogRecord(System.currentTimeMillis(), System.nanoTime());
            CountingResponse counting = new CountingResponse(response, record);
            Mono<Void> handled;
            try {
                handled = delegate.handle(request, counting);
            } catch (RuntimeException | Error e) {
                complete(record, request, response, SignalType.ON_ERROR);
                throw e;
            }
            return handled.doFinally(signal -> complete(record, request, response, signal));
        };
    }

    private void complete(AccessLogRecord record, ServerHttpRequest request, ServerHttpResponse response,
                          SignalType signal) {
        try {
            fill(record, request, response, signal);
        } catch (RuntimeException e) {
            // A line the log cannot make is one line less, never a failed request.
            writer.unwritable(e);
            return;
        }
        writer.offer(record);
    }

    private static void fill(AccessLogRecord record, ServerHttpRequest request, ServerHttpResponse response,
                             SignalType signal) {
        long now = System.nanoTime();
        record.requestNanos = now - record.startNanos;
        HttpStatusCode status = response.getStatusCode();
        record.status = signal == SignalType.CANCEL && !response.isCommitted() ? CLIENT_CLOSED_REQUEST
                : status == null ? 200 : status.value();
        record.responseComplete(now);
        Map<String, Object> attributes = request.getAttributes();
        Object resolved = attributes.get(ClientAddress.ATTRIBUTE);
        InetSocketAddress peer = request.getRemoteAddress();
        record.clientAddress = resolved instanceof InetAddress address ? address
                : peer == null ? null : peer.getAddress();
        Object user = attributes.get(BasicAuthFilter.USER_ATTR);
        record.remoteUser = user instanceof String name ? name : null;
        record.method = request.getMethod().name();
        record.uri = request.getURI();
        record.protocol = protocolOf(request);
        HttpHeaders headers = request.getHeaders();
        record.referer = headers.getFirst(HttpHeaders.REFERER);
        record.userAgent = headers.getFirst(HttpHeaders.USER_AGENT);
        record.requestLength = requestLength(record, headers);
        record.requestId = ProxyHeadersFilter.requestIdOf(attributes, headers);
        Object served = attributes.get(ServedRoute.ATTR);
        ServedRoute route = served instanceof ServedRoute known ? known : null;
        if (route != null && route.rule() != null) {
            record.ingress = route.rule().ingress();
        }
        // The upstream the request went to (a canary's, a default-backend fallback's), else the one its route names,
        // as ingress-nginx names the location's upstream on requests it answers itself (a limit, a denied address).
        Object upstream = attributes.get(UpstreamRoutingFilter.UPSTREAM_ATTR);
        record.upstream = upstream instanceof UpstreamKey key ? key : route == null ? null : route.upstreamKey();
    }

    /** {@code HTTP/1.1}, {@code HTTP/2.0} or {@code HTTP/1.0}, as nginx's {@code $server_protocol}. */
    private static String protocolOf(ServerHttpRequest request) {
        if (request instanceof AbstractServerHttpRequest reactive
                && reactive.getNativeRequest() instanceof HttpServerRequest reactor) {
            return reactor.version().text();
        }
        return "HTTP/1.1";
    }

    /**
     * nginx's {@code $request_length}: the request line, the header block and the body, counted as HTTP/1.1 text
     * (an HTTP/2 request's compressed headers are counted that way too), the body by its declared length.
     */
    private static long requestLength(AccessLogRecord record, HttpHeaders headers) {
        String rawPath = record.uri.getRawPath();
        String rawQuery = record.uri.getRawQuery();
        long length = record.method.length() + 1 + (rawPath == null ? 1 : rawPath.length())
                + (rawQuery == null ? 0 : rawQuery.length() + 1) + 1 + record.protocol.length() + 2;
        for (Map.Entry<String, List<String>> header : headers.headerSet()) {
            for (String value : header.getValue()) {
                length += header.getKey().length() + 2 + value.length() + 2;
            }
        }
        length += 2;
        long body = headers.getContentLength();
        return body > 0 ? length + body : length;
    }
}
