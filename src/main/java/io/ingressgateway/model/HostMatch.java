package io.ingressgateway.model;

import java.util.Locale;

/**
 * The host part of an Ingress rule: an exact name, a one-label wildcard ({@code *.example.com}) or any host (empty).
 * Always lower case; never carries a port.
 */
public record HostMatch(String pattern) {

    public enum Kind { EXACT, WILDCARD, ANY }

    public static final HostMatch ANY = new HostMatch("");

    public HostMatch {
        pattern = pattern == null ? "" : pattern.toLowerCase(Locale.ROOT);
    }

    public static HostMatch of(String host) {
        return host == null || host.isEmpty() ? ANY : new HostMatch(host);
    }

    public Kind kind() {
        if (pattern.isEmpty()) {
            return Kind.ANY;
        }
        return pattern.startsWith("*.") ? Kind.WILDCARD : Kind.EXACT;
    }

    /** For a wildcard, the suffix after the star, with its leading dot ({@code .example.com}). */
    public String wildcardSuffix() {
        return kind() == Kind.WILDCARD ? pattern.substring(1) : "";
    }

    /**
     * Whether a request host (lower case, no port) matches. A wildcard covers exactly one extra label:
     * {@code *.example.com} matches {@code a.example.com}, not {@code example.com} nor {@code a.b.example.com}.
     */
    public boolean matches(String requestHost) {
        return switch (kind()) {
            case ANY -> true;
            case EXACT -> pattern.equals(requestHost);
            case WILDCARD -> {
                String suffix = wildcardSuffix();
                int labelLength = requestHost.length() - suffix.length();
                yield labelLength > 0
                        && requestHost.endsWith(suffix)
                        && requestHost.indexOf('.') == labelLength;
            }
        };
    }

    @Override
    public String toString() {
        return pattern.isEmpty() ? "*" : pattern;
    }
}
