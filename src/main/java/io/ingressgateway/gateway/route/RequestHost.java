package io.ingressgateway.gateway.route;

import java.util.Locale;

/** The host name of a Host header as Ingress rules compare it, and which Host headers the gateway serves at all. */
public final class RequestHost {

    /** The longest DNS name, with the trailing dot of a fully qualified one. */
    private static final int MAX_NAME_LENGTH = 254;
    private static final int MAX_LABEL_LENGTH = 63;

    private RequestHost() {
    }

    /**
     * Whether a Host header (or the authority of an absolute request target) names a host the gateway can serve: a
     * DNS name (labels of letters, digits, {@code -} and {@code _}, separated by single dots, one trailing dot
     * allowed) or a bracketed IPv6 literal (hex digits, {@code :} and {@code .}), then optionally {@code :} and a port
     * of 1 to 5 digits up to 65535. An IPv4 address is a DNS-shaped name.
     *
     * <p>Stricter than RFC 3986's reg-name, which also allows {@code ~}, sub-delimiters and percent escapes: no DNS
     * name has them, so they can only make one name look like another to some component ({@code evil/x.example.com}
     * would match {@code *.example.com} here and be a path elsewhere, {@code user@host} a user name). One pass over the
     * characters, no allocation: every request passes it.
     */
    public static boolean isValid(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        int length = host.length();
        int i;
        if (host.charAt(0) == '[') {
            int colons = 0;
            for (i = 1; i < length && host.charAt(i) != ']'; i++) {
                char c = host.charAt(i);
                if (c == ':') {
                    colons++;
                } else if (Character.digit(c, 16) < 0 && c != '.') {
                    return false;
                }
            }
            if (i == length || colons < 2) {
                return false; // no closing bracket, or too few colons for an IPv6 address
            }
            i++;
        } else {
            int label = 0;
            for (i = 0; i < length && host.charAt(i) != ':'; i++) {
                char c = host.charAt(i);
                if (c == '.') {
                    if (label == 0) {
                        return false; // a leading dot or an empty label
                    }
                    label = 0;
                } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_') {
                    if (++label > MAX_LABEL_LENGTH) {
                        return false;
                    }
                } else {
                    return false;
                }
            }
            if (i == 0 || i > MAX_NAME_LENGTH) {
                return false;
            }
        }
        return i == length || isPort(host, i);
    }

    /** {@code :} at {@code colon}, then 1 to 5 digits up to 65535, up to the end. */
    private static boolean isPort(String host, int colon) {
        int digits = host.length() - colon - 1;
        if (host.charAt(colon) != ':' || digits < 1 || digits > 5) {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    /**
     * Lower case, without port (also for a bracketed IPv6 literal, which keeps its brackets) and without the trailing
     * dot of a fully qualified name. Null gives "".
     */
    public static String normalize(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host = hostHeader.trim();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end > 0) {
                host = host.substring(0, end + 1);
            }
        } else {
            int colon = host.indexOf(':');
            // More than one colon is an unbracketed IPv6 literal (invalid in a Host header): leave it whole.
            if (colon >= 0 && colon == host.lastIndexOf(':')) {
                host = host.substring(0, colon);
            }
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
