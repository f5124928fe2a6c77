package io.ingressgateway.model.policy;

/**
 * One origin {@code cors-allow-origin} allows: an exact origin ({@code https://app.example.com:8443}, or
 * {@code null}), or, with {@code wildcard}, any origin made of {@code prefix}, one DNS label and {@code suffix}
 * ({@code https://*.example.com} is prefix {@code https://} and suffix {@code .example.com}), as ingress-nginx turns
 * {@code *} into one label of letters, digits and hyphens. Compared without regard to case, as ingress-nginx's
 * {@code ~*} does, and anchored at both ends.
 *
 * @param prefix   the whole origin, or what comes before the wildcard label
 * @param suffix   what comes after the wildcard label; empty when not {@code wildcard}
 * @param wildcard whether one label stands between prefix and suffix
 */
public record CorsOrigin(String prefix, String suffix, boolean wildcard) {

    /** An origin allowed exactly. */
    public static CorsOrigin exact(String origin) {
        return new CorsOrigin(origin, "", false);
    }

    /** Whether an {@code Origin} header's value is this one. */
    public boolean matches(String origin) {
        if (!wildcard) {
            return origin.equalsIgnoreCase(prefix);
        }
        int labelEnd = origin.length() - suffix.length();
        if (labelEnd <= prefix.length()
                || !origin.regionMatches(true, 0, prefix, 0, prefix.length())
                || !origin.regionMatches(true, labelEnd, suffix, 0, suffix.length())) {
            return false;
        }
        for (int i = prefix.length(); i < labelEnd; i++) {
            char c = origin.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return wildcard ? prefix + "*" + suffix : prefix;
    }
}
