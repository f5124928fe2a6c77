package io.ingressgateway.model;

/**
 * IP address literals read without any lookup: dotted-quad IPv4 and RFC 4291 IPv6 text (with {@code ::} and an
 * embedded IPv4 tail), optionally in brackets. What is not a literal (a DNS name, a zone-scoped address, short forms
 * such as {@code 127.1}) is not one here: such text is resolved as a name, and its addresses are checked then.
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /** The 4 or 16 bytes of an IP literal, or null when {@code text} is not one. */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String literal = text;
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        return literal.indexOf(':') >= 0 ? parseIpv6(literal) : parseIpv4(literal);
    }

    /**
     * The IPv4 address an IPv6 address carries in its low 32 bits when it is IPv4-mapped ({@code ::ffff:a.b.c.d}) or
     * IPv4-compatible ({@code ::a.b.c.d}, deprecated), else {@code address} itself: such an address reaches, or is
     * meant to reach, the IPv4 host, and is judged as that host.
     */
    public static byte[] unmapped(byte[] address) {
        if (address.length != 16) {
            return address;
        }
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return address;
            }
        }
        boolean mapped = address[10] == (byte) 0xff && address[11] == (byte) 0xff;
        boolean compatible = address[10] == 0 && address[11] == 0
                && (address[12] != 0 || address[13] != 0 || address[14] != 0 || (address[15] & 0xfe) != 0);
        if (!mapped && !compatible) {
            return address; // :: and ::1 are IPv6's own
        }
        return new byte[] {address[12], address[13], address[14], address[15]};
    }

    private static byte[] parseIpv4(String text) {
        byte[] bytes = new byte[4];
        if (!parseIpv4Into(text, bytes, 0)) {
            return null;
        }
        return bytes;
    }

    /** Exactly four decimal parts of 1 to 3 digits, each at most 255. */
    private static boolean parseIpv4Into(String text, byte[] bytes, int offset) {
        int part = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c >= '0' && c <= '9') {
                value = value * 10 + (c - '0');
                digits++;
                if (digits > 3 || value > 255) {
                    return false;
                }
            } else if (c == '.') {
                if (digits == 0 || part == 4) {
                    return false;
                }
                bytes[offset + part++] = (byte) value;
                value = 0;
                digits = 0;
            } else {
                return false;
            }
        }
        return part == 4;
    }

    private static byte[] parseIpv6(String text) {
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] head = new byte[16];
        byte[] tail = new byte[16];
        int headLength;
        int tailLength = 0;
        if (gap < 0) {
            headLength = groups(text, head, true);
            if (headLength != 16) {
                return null;
            }
            return head;
        }
        headLength = gap == 0 ? 0 : groups(text.substring(0, gap), head, false);
        String after = text.substring(gap + 2);
        if (!after.isEmpty()) {
            tailLength = groups(after, tail, true);
        }
        if (headLength < 0 || tailLength < 0 || headLength + tailLength > 14) {
            return null;
        }
        byte[] address = new byte[16];
        System.arraycopy(head, 0, address, 0, headLength);
        System.arraycopy(tail, 0, address, 16 - tailLength, tailLength);
        return address;
    }

    /**
     * Reads colon-separated groups of 1 to 4 hex digits into {@code out}; the last may be a dotted quad when
     * {@code ipv4Tail}. Returns the bytes read, or -1 when the text is not such groups.
     */
    private static int groups(String text, byte[] out, boolean ipv4Tail) {
        int length = 0;
        int start = 0;
        while (true) {
            int colon = text.indexOf(':', start);
            String group = colon < 0 ? text.substring(start) : text.substring(start, colon);
            if (colon < 0 && ipv4Tail && group.indexOf('.') >= 0) {
                if (length + 4 > 16 || !parseIpv4Into(group, out, length)) {
                    return -1;
                }
                return length + 4;
            }
            if (group.isEmpty() || group.length() > 4 || length + 2 > 16) {
                return -1;
            }
            int value = 0;
            for (int i = 0; i < group.length(); i++) {
                char c = group.charAt(i);
                int digit = c < 0x80 ? Character.digit(c, 16) : -1; // ASCII only: not other scripts' digits
                if (digit < 0) {
                    return -1;
                }
                value = value * 16 + digit;
            }
            out[length++] = (byte) (value >> 8);
            out[length++] = (byte) value;
            if (colon < 0) {
                return length;
            }
            start = colon + 1;
        }
    }
}
