package io.ingressgateway.model.policy;

import java.util.Arrays;

/**
 * One block of an address list ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, a single address as {@code /32} or
 * {@code /128}), as a policy carries it: the network's bytes and its prefix length, already read and validated by the
 * translator. Kept apart from the model's CIDR parser so that policies depend on nothing else of ours.
 */
public final class AddressBlock {

    private final byte[] network;
    private final int prefixLength;

    private AddressBlock(byte[] network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * The block of the {@code prefixLength} leading bits of {@code address} (4 or 16 bytes); the other bits are
     * cleared.
     */
    public static AddressBlock of(byte[] address, int prefixLength) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + address.length);
        }
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " does not fit the address");
        }
        byte[] network = address.clone();
        for (int bit = prefixLength; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return new AddressBlock(network, prefixLength);
    }

    /** Whether {@code address} (4 or 16 bytes) is in the block; an IPv4 address is never in an IPv6 block. */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int whole = prefixLength / 8;
        for (int i = 0; i < whole; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff00 >>> rest) & 0xff;
        return (address[whole] & mask) == (network[whole] & 0xff);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AddressBlock block && prefixLength == block.prefixLength
                && Arrays.equals(network, block.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** The block in CIDR notation (IPv6 as eight hex groups, unshortened: this is for messages). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        if (network.length == 4) {
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ".").append(network[i] & 0xff);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                out.append(i == 0 ? "" : ":").append(Integer.toHexString(((network[i] & 0xff) << 8)
                        | (network[i + 1] & 0xff)));
            }
        }
        return out.append('/').append(prefixLength).toString();
    }
}
