package io.ingressgateway.translate;

/**
 * The configured default backend, {@code namespace/name:port} with the port as a number or a name. Anything else is
 * treated as "no default backend" (there is no Ingress to report it on, and translation must never fail on it).
 */
record DefaultBackendSetting(String namespace, String service, String port) {

    /** The parsed setting, or null when it is empty or malformed. */
    static DefaultBackendSetting parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        int slash = v.indexOf('/');
        int colon = v.lastIndexOf(':');
        if (slash <= 0 || colon <= slash + 1 || colon == v.length() - 1 || v.indexOf('/', slash + 1) >= 0
                || v.indexOf(':') != colon) {
            return null;
        }
        String port = v.substring(colon + 1);
        if (port.chars().allMatch(Character::isDigit)) {
            if (port.length() > 5 || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                return null;
            }
            port = Integer.toString(Integer.parseInt(port));
        }
        return new DefaultBackendSetting(v.substring(0, slash), v.substring(slash + 1, colon), port);
    }
}
