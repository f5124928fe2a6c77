package io.ingressgateway.translate;

import io.ingressgateway.model.HostMatch;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validates the {@code host} of an Ingress rule as the API server does: a DNS-1123 subdomain, or a wildcard whose
 * whole first label is {@code *}; never an IP address, never with a port. Hosts are compared lower case, since DNS
 * names are case-insensitive.
 */
final class HostRules {

    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern SUBDOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final int MAX_LENGTH = 253;

    /** A valid host, or the reason it is not. */
    record Result(HostMatch host, String problem) {
    }

    private HostRules() {
    }

    static Result parse(String host) {
        if (host == null || host.isEmpty()) {
            return new Result(HostMatch.ANY, null);
        }
        String lower = host.toLowerCase(Locale.ROOT);
        String problem = problem(lower);
        return problem == null ? new Result(HostMatch.of(lower), null) : new Result(null, problem);
    }

    private static String problem(String host) {
        if (host.indexOf(':') >= 0 || host.startsWith("[")) {
            return host.indexOf(':') == host.lastIndexOf(':') && !host.startsWith("[")
                    ? "must not contain a port"
                    : "must be a DNS name, not an IP address";
        }
        if (IPV4.matcher(host).matches()) {
            return "must be a DNS name, not an IP address";
        }
        if (host.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        String name = host;
        if (host.startsWith("*.")) {
            name = host.substring(2);
        }
        if (name.indexOf('*') >= 0) {
            return "a wildcard must be the whole first label, as in '*.example.com'";
        }
        if (!SUBDOMAIN.matcher(name).matches()) {
            return "must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with"
                    + " a letter or digit)";
        }
        return null;
    }
}
