package io.ingressgateway.model.policy;

import java.util.Objects;

/**
 * The {@code Host} header a route's upstream receives in place of the client's, as an Ingress's
 * {@code upstream-vhost} annotation asks. The client's host still reaches the upstream in {@code X-Forwarded-Host}.
 *
 * @param host a host name or address, with an optional port, as sent in {@code Host}
 */
public record UpstreamVhostPolicy(String host) implements RoutePolicy {

    public UpstreamVhostPolicy {
        Objects.requireNonNull(host, "host");
    }
}
