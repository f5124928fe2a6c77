package io.ingressgateway.gateway.metrics;

import org.springframework.http.HttpMethod;

/**
 * The value of a request's method as a meter tag: the method's name for the nine standard methods (RFC 9110's and
 * PATCH), {@code OTHER} for any other token. A client chooses the method token freely ({@code FOO1 /},
 * {@code FOO2 /}, ...), and every distinct tag value is a meter kept for the life of the process, so the tag must come
 * from a closed set. Spring's own HTTP observation maps unknown methods the same way (to {@code UNKNOWN}), as
 * OpenTelemetry's conventions do (to {@code _OTHER}).
 *
 * <p>Per request this is a few reference comparisons on the method the server has already parsed: Spring's
 * {@link HttpMethod#valueOf} gives the standard methods as its constants, so no string is built and, but for
 * CONNECT and unknown tokens, none is read.
 */
public final class MethodTag {

    /** The tag value of every method outside the standard set. */
    public static final String OTHER = "OTHER";

    private MethodTag() {
    }

    public static String of(HttpMethod method) {
        if (method == HttpMethod.GET) {
            return "GET";
        }
        if (method == HttpMethod.POST) {
            return "POST";
        }
        if (method == HttpMethod.HEAD) {
            return "HEAD";
        }
        if (method == HttpMethod.PUT) {
            return "PUT";
        }
        if (method == HttpMethod.DELETE) {
            return "DELETE";
        }
        if (method == HttpMethod.OPTIONS) {
            return "OPTIONS";
        }
        if (method == HttpMethod.PATCH) {
            return "PATCH";
        }
        if (method == HttpMethod.TRACE) {
            return "TRACE";
        }
        // Spring has no constant for CONNECT: compared by name, only for the rare methods that are not constants.
        return method != null && "CONNECT".equals(method.name()) ? "CONNECT" : OTHER;
    }
}
