package io.ingressgateway.model.policy;

import java.util.List;

/**
 * Which client addresses may use a route, as an Ingress's {@code allowlist-source-range} (alias
 * {@code whitelist-source-range}) and {@code denylist-source-range} annotations ask (the source range family), with
 * ingress-nginx's meaning: a client in the deny list is refused; else, when there is an allow list, a client outside
 * it is refused; refused is 403. A list the Ingress does not set is the global default's
 * ({@code ingress-gateway.source-ranges.*}), which an annotation replaces, never extends.
 *
 * @param allowlist the Ingress's allow list; null when it sets none (the global default applies)
 * @param denylist  the Ingress's deny list; null when it sets none (the global default applies)
 * @param refusal   why every request of the route is refused, or null: a list that could not be read closes the
 *                  route instead of opening it, as ingress-nginx denies such a location
 */
public record SourceRangePolicy(List<AddressBlock> allowlist, List<AddressBlock> denylist, String refusal)
        implements RoutePolicy {

    public SourceRangePolicy {
        allowlist = allowlist == null ? null : List.copyOf(allowlist);
        denylist = denylist == null ? null : List.copyOf(denylist);
    }

    /** A route closed to every client, saying why. */
    public static SourceRangePolicy refusingAll(String reason) {
        return new SourceRangePolicy(null, null, reason);
    }

    /** ingress-nginx's order: {@code deny} lines first, then {@code allow} lines and {@code deny all}. */
    public static boolean admits(byte[] address, List<AddressBlock> allowlist, List<AddressBlock> denylist) {
        for (AddressBlock block : denylist) {
            if (block.contains(address)) {
                return false;
            }
        }
        if (allowlist.isEmpty()) {
            return true;
        }
        for (AddressBlock block : allowlist) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
