package io.ingressgateway.gateway.metrics;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The size of a request or response as ingress-nginx's metrics count it ({@code $request_length}: request line,
 * headers and body; {@code $bytes_sent}: status line, headers and body), worked out from the message as the server
 * holds it: the head as its HTTP/1.1 text ({@code name: value} and a line end per field), the body by its
 * {@code Content-Length}. One pass over the header fields Reactor Netty parsed, reading lengths only: no string is
 * built.
 *
 * <p>What this does not see: a body sent without {@code Content-Length} (chunked, or read to the connection's end)
 * counts as empty, and an HTTP/2 head is counted as its HTTP/1.1 text, not as the compressed frames that carried it.
 */
final class MessageSize {

    /** {@code " HTTP/1.1\r\n"} after the method and target; {@code "HTTP/1.1 "} and {@code "\r\n"} around a status. */
    private static final int REQUEST_LINE_EXTRA = 2 + 8 + 2;
    private static final int STATUS_LINE_EXTRA = 9 + 3 + 1 + 2;
    /** {@code ": "} and {@code "\r\n"} of a header field. */
    private static final int FIELD_EXTRA = 4;
    /** The empty line ending a head. */
    private static final int HEAD_END = 2;

    private MessageSize() {
    }

    /** The request's size in bytes, or -1 when the request is not one Reactor Netty serves. */
    static long of(ServerHttpRequest request) {
        if (!(ServerHttpRequestDecorator.getNativeRequest(request) instanceof HttpServerRequest nativeRequest)) {
            return -1;
        }
        long line = nativeRequest.method().name().length() + nativeRequest.uri().length() + REQUEST_LINE_EXTRA;
        return line + headAndBody(nativeRequest.requestHeaders(), true);
    }

    /** The response's size in bytes, or -1 when the response is not one Reactor Netty serves. */
    static long of(ServerHttpResponse response, boolean bodiless) {
        if (!(ServerHttpResponseDecorator.getNativeResponse(response) instanceof HttpServerResponse nativeResponse)) {
            return -1;
        }
        HttpResponseStatus status = nativeResponse.status();
        long line = STATUS_LINE_EXTRA + (status == null ? 0 : status.reasonPhrase().length());
        return line + headAndBody(nativeResponse.responseHeaders(), !bodiless);
    }

    /** The header fields' bytes and the head's end, plus the declared body length when {@code withBody}. */
    private static long headAndBody(HttpHeaders headers, boolean withBody) {
        long size = HEAD_END;
        long body = 0;
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = headers.iteratorCharSequence();
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            size += name.length() + value.length() + FIELD_EXTRA;
            if (withBody && AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
                body = digits(value);
            }
        }
        return size + body;
    }

    /** A Content-Length value as a number; 0 when it is not one (the codec refuses such requests anyway). */
    private static long digits(CharSequence value) {
        long number = 0;
        int length = value.length();
        if (length == 0 || length > 18) {
            return 0;
        }
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            number = number * 10 + (c - '0');
        }
        return number;
    }
}
