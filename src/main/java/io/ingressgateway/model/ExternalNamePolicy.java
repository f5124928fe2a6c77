package io.ingressgateway.model;

import java.util.List;

/**
 * Whether ExternalName Services are served, and which addresses their names may lead to. An Ingress with an
 * ExternalName backend makes the gateway open connections wherever the name points, on behalf of whoever may write
 * Services: to its own loopback, the cloud's metadata service, or another namespace's Service (the CVE-2021-25740
 * class). So ExternalName is off unless the operator turns it on, and then an address is refused when it is
 * loopback, link-local, unspecified, one of the gateway's own, or in a denied range, unless it is in an allowed range.
 *
 * <p>The translator judges names that are IP literals; the data plane judges every address a name resolves to, on
 * every connection it opens (a name may resolve elsewhere the next time: DNS rebinding), together with the gateway's
 * own addresses, which only it knows.
 *
 * @param enabled          whether ExternalName Services are served at all
 * @param deniedRanges     further ranges refused (the cluster's pod and Service ranges, say)
 * @param allowedRanges    ranges accepted even though a rule above refuses them: the operator's exceptions
 * @param gatewayAddresses the gateway's own addresses (known to the data plane only; empty in the translator)
 */
public record ExternalNamePolicy(boolean enabled, List<AddressRange> deniedRanges, List<AddressRange> allowedRanges,
                                 List<AddressRange> gatewayAddresses) {

    /** Why an address is refused; {@link #tag()} is its name in metrics. */
    public enum Refusal {
        LOOPBACK("loopback"),
        LINK_LOCAL("link-local"),
        UNSPECIFIED("unspecified"),
        GATEWAY_ADDRESS("gateway-address"),
        DENIED_RANGE("denied-range");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }

        /** As a message says it: "a loopback address". */
        public String describe() {
            return switch (this) {
                case LOOPBACK -> "a loopback address";
                case LINK_LOCAL -> "a link-local address";
                case UNSPECIFIED -> "an unspecified address";
                case GATEWAY_ADDRESS -> "an address of the gateway itself";
                case DENIED_RANGE -> "an address in a denied range";
            };
        }
    }

    /** ExternalName off: the default. */
    public static final ExternalNamePolicy DISABLED = new ExternalNamePolicy(false, List.of(), List.of(), List.of());

    private static final List<AddressRange> LOOPBACK = List.of(AddressRange.parse("127.0.0.0/8"),
            AddressRange.parse("::1/128"));
    private static final List<AddressRange> LINK_LOCAL = List.of(AddressRange.parse("169.254.0.0/16"),
            AddressRange.parse("fe80::/10"));
    /** "This network" (0.0.0.0/8, which Linux connects to the host itself) and the IPv6 unspecified address. */
    private static final List<AddressRange> UNSPECIFIED = List.of(AddressRange.parse("0.0.0.0/8"),
            AddressRange.parse("::/128"));

    public ExternalNamePolicy {
        deniedRanges = List.copyOf(deniedRanges);
        allowedRanges = List.copyOf(allowedRanges);
        gatewayAddresses = List.copyOf(gatewayAddresses);
    }

    /** Served, with these ranges denied and allowed beyond the built-in rules. */
    public static ExternalNamePolicy enabled(List<AddressRange> deniedRanges, List<AddressRange> allowedRanges) {
        return new ExternalNamePolicy(true, deniedRanges, allowedRanges, List.of());
    }

    /**
     * The policy of the settings as written: ranges in CIDR notation (or bare addresses).
     *
     * @throws IllegalArgumentException naming the first range that is not one
     */
    public static ExternalNamePolicy of(boolean enabled, List<String> deniedCidrs, List<String> allowedCidrs) {
        if (!enabled) {
            return DISABLED;
        }
        return enabled(ranges(deniedCidrs, "denied-cidrs"), ranges(allowedCidrs, "allowed-cidrs"));
    }

    private static List<AddressRange> ranges(List<String> cidrs, String setting) {
        try {
            return cidrs.stream().filter(cidr -> cidr != null && !cidr.isBlank()).map(AddressRange::parse).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ingress-gateway.external-name-services." + setting + ": "
                    + e.getMessage(), e);
        }
    }

    /** This policy, also refusing the gateway's own addresses. */
    public ExternalNamePolicy withGatewayAddresses(List<AddressRange> addresses) {
        return new ExternalNamePolicy(enabled, deniedRanges, allowedRanges, addresses);
    }

    /**
     * Why {@code address} (4 or 16 bytes) may not be connected to, or null when it may. An IPv4-mapped IPv6 address
     * is judged as its IPv4 address.
     */
    public Refusal refusal(byte[] address) {
        byte[] judged = IpAddresses.unmapped(address);
        if (in(allowedRanges, judged)) {
            return null;
        }
        if (in(LOOPBACK, judged)) {
            return Refusal.LOOPBACK;
        }
        if (in(LINK_LOCAL, judged)) {
            return Refusal.LINK_LOCAL;
        }
        if (in(UNSPECIFIED, judged)) {
            return Refusal.UNSPECIFIED;
        }
        if (in(gatewayAddresses, judged) || in(gatewayAddresses, address)) {
            return Refusal.GATEWAY_ADDRESS;
        }
        if (in(deniedRanges, judged) || in(deniedRanges, address)) {
            return Refusal.DENIED_RANGE;
        }
        return null;
    }

    private static boolean in(List<AddressRange> ranges, byte[] address) {
        for (AddressRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
