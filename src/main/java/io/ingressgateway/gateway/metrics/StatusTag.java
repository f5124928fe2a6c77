package io.ingressgateway.gateway.metrics;

import org.springframework.http.HttpStatus;

/**
 * A response status as the route timer tags it. The status codes Spring knows ({@link HttpStatus}) keep their own
 * series; any other code is counted with the other unknown codes of its class, tagged {@code 1xx} to {@code 9xx}.
 * The code is the upstream's, but an upstream may echo one the client asked for (httpbin's {@code /status/599}): with
 * a series per code, a client could make up to 900 per route and method.
 *
 * <p>A timer is found by its {@linkplain #key key}: the code itself when known, else one key per class, so every code
 * of a class finds the one timer of that class from a route's cache without registering again.
 */
final class StatusTag {

    /** The key of requests that got no status. */
    static final int NONE = -1;
    /** Keys of unknown codes: {@code UNKNOWN_CLASS + code / 100}, outside every real code. */
    private static final int UNKNOWN_CLASS = 1000;
    private static final boolean[] KNOWN = new boolean[UNKNOWN_CLASS];

    static {
        for (HttpStatus status : HttpStatus.values()) {
            KNOWN[status.value()] = true;
        }
    }

    private StatusTag() {
    }

    /** The timer key of a status code ({@link #NONE} for none). */
    static int key(int code) {
        if (code < 0) {
            return NONE;
        }
        if (code < UNKNOWN_CLASS && KNOWN[code]) {
            return code;
        }
        return UNKNOWN_CLASS + Math.min(9, code / 100);
    }

    /** The {@code httpStatusCode} tag of a key. */
    static String codeTag(int key) {
        if (key == NONE) {
            return "NA";
        }
        return key >= UNKNOWN_CLASS ? (key - UNKNOWN_CLASS) + "xx" : String.valueOf(key);
    }

    /** The known status of a key, or null. */
    static HttpStatus known(int key) {
        return key >= 0 && key < UNKNOWN_CLASS ? HttpStatus.resolve(key) : null;
    }
}
