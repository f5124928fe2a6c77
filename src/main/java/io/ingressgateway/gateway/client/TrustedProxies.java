package io.ingressgateway.gateway.client;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose word about the client is believed ({@code ingress-gateway.client-address.proxy-real-ip-cidr},
 * ingress-nginx's {@code proxy-real-ip-cidr}). An IPv4-mapped IPv6 peer ({@code ::ffff:10.0.0.1}, as a dual-stack
 * socket reports an IPv4 client) is judged as its IPv4 address.
 */
public final class TrustedProxies {

    private final List<AddressRange> ranges;

    private TrustedProxies(List<AddressRange> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /**
     * @throws IllegalArgumentException naming the setting and the entry that is neither a CIDR block nor an address
     */
    public static TrustedProxies of(List<String> cidrs) {
        List<AddressRange> ranges = new ArrayList<>();
        for (String cidr : cidrs) {
            try {
                ranges.add(AddressRange.parse(cidr));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ingress-gateway.client-address.proxy-real-ip-cidr: "
                        + e.getMessage(), e);
            }
        }
        return new TrustedProxies(ranges);
    }

    /** Whether no proxy is listed. */
    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether {@code address} is a listed proxy's; false for null. */
    public boolean trusts(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = IpAddresses.unmapped(address.getAddress());
        for (AddressRange range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return ranges.toString();
    }
}
