package io.ingressgateway.model.policy;

/**
 * How the request bodies of a route are bounded and read, from its Ingress's annotations (the request body family:
 * {@code proxy-body-size}, {@code client-body-buffer-size}, {@code proxy-request-buffering}). A null field means "not
 * set": the configured default ({@code ingress-gateway.request-body.*}) applies, so a route whose Ingress sets nothing
 * still gets ingress-nginx's 1m limit.
 *
 * @param maxSize          largest request body in bytes (nginx {@code client_max_body_size}); 0 for no limit
 * @param bufferSize       bytes of a body read before the upstream is contacted when buffering (nginx
 *                         {@code client_body_buffer_size})
 * @param requestBuffering whether the body is read (up to {@code bufferSize}) before the upstream is contacted (nginx
 *                         {@code proxy_request_buffering})
 */
public record BodyPolicy(Long maxSize, Long bufferSize, Boolean requestBuffering) implements RoutePolicy {

    /** Nothing set: every setting takes its configured default. */
    public static final BodyPolicy DEFAULTS = new BodyPolicy(null, null, null);
}
