package io.ingressgateway.model;

import java.util.Arrays;

/**
 * A block of IP addresses in CIDR notation ({@code 10.96.0.0/12}, {@code fd00::/8}); a bare address is the block of
 * that address alone.
 */
public final class AddressRange {

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private AddressRange(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Reads {@code address/prefix-length} or a bare address.
     *
     * @throws IllegalArgumentException when {@code cidr} is neither
     */
    public static AddressRange parse(String cidr) {
        String trimmed = cidr == null ? "" : cidr.trim();
        int slash = trimmed.indexOf('/');
        byte[] address = IpAddresses.parse(slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
        }
        int bits = address.length * 8;
        if (slash >= 0) {
            String length = trimmed.substring(slash + 1);
            if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(length) > bits) {
                throw new IllegalArgumentException("'" + cidr + "' has no prefix length from 0 to " + bits);
            }
            bits = Integer.parseInt(length);
        }
        return of(address, bits);
    }

    /** The block of {@code prefixLength} leading bits of {@code address} (the other bits are ignored). */
    public static AddressRange of(byte[] address, int prefixLength) {
        byte[] network = address.clone();
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new AddressRange(network, prefixLength, text(network) + "/" + prefixLength);
    }

    /** Whether {@code address} (4 or 16 bytes) lies in this block; an IPv4 address is never in an IPv6 block. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff00 >>> rest) & 0xff;
        return (address[full] & mask) == (network[full] & 0xff);
    }

    /** The network's address bytes (4 or 16), host bits cleared; a copy. */
    public byte[] network() {
        return network.clone();
    }

    /** How many leading bits of the network's address the block fixes. */
    public int prefixLength() {
        return prefixLength;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressRange range && prefixLength == range.prefixLength
                && Arrays.equals(network, range.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** The block in CIDR notation, its host bits cleared. */
    @Override
    public String toString() {
        return text;
    }

    /** An address as text: dotted quad, or eight hex groups (not shortened; this is for messages only). */
    static String text(byte[] address) {
        StringBuilder out = new StringBuilder();
        if (address.length == 4) {
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ".").append(address[i] & 0xff);
            }
            return out.toString();
        }
        for (int i = 0; i < address.length; i += 2) {
            int group = ((address[i] & 0xff) << 8) | (address[i + 1] & 0xff);
            out.append(i == 0 ? "" : ":").append(Integer.toHexString(group));
        }
        return out.toString();
    }
}
