package io.ingressgateway.gateway.route;

import java.util.Locale;

/** The host name of a Host header as Ingress rules compare it. */
public final class RequestHost {

    private RequestHost() {
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
