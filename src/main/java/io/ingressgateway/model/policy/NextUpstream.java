package io.ingressgateway.model.policy;

import java.util.Set;

/**
 * When a request may be sent again to another endpoint, as ingress-nginx's {@code proxy-next-upstream} lists it.
 *
 * @param error          connection failures (refused, unreachable) and an upstream that closed the connection
 *                       before its response headers
 * @param timeout        a connect timeout (never a read timeout: see the data plane's retry rules)
 * @param invalidHeader  an upstream whose response headers could not be read (which the client sees as a connection
 *                       closed before the headers)
 * @param statuses       upstream answers that are retried (a subset of 403, 404, 429, 500, 502, 503, 504)
 * @param nonIdempotent  whether POST, PATCH and LOCK requests may be retried too
 */
public record NextUpstream(boolean error, boolean timeout, boolean invalidHeader, Set<Integer> statuses,
                           boolean nonIdempotent) {

    /** ingress-nginx's default, {@code error timeout}. */
    public static final NextUpstream DEFAULT = new NextUpstream(true, true, false, Set.of(), false);

    /** {@code off}: nothing is ever retried. */
    public static final NextUpstream OFF = new NextUpstream(false, false, false, Set.of(), false);

    /** The statuses {@code http_<code>} may name. */
    public static final Set<Integer> RETRIABLE_STATUSES = Set.of(403, 404, 429, 500, 502, 503, 504);

    public NextUpstream {
        statuses = Set.copyOf(statuses);
    }

    /** Whether an upstream's answer with {@code status} is retried. */
    public boolean retriesStatus(int status) {
        return !statuses.isEmpty() && statuses.contains(status);
    }

    /** Whether any failure or answer at all is retried. */
    public boolean retriesAnything() {
        return error || timeout || invalidHeader || !statuses.isEmpty();
    }
}
