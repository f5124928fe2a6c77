package io.ingressgateway.translate;

import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.IpAddresses;
import java.util.Locale;

/**
 * What the translator can tell about an ExternalName without a lookup: whether it is a host name or an IP literal at
 * all, whether the literal is an address no upstream may have, and whether the name is another namespace's Service.
 * Every name is judged again by the data plane on each connection, after DNS resolution (a name's addresses are only
 * known then, and may change); these checks refuse early, with a diagnostic on the Ingress, what is refused anyway.
 */
final class ExternalNames {

    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    private ExternalNames() {
    }

    /** Why {@code externalName}, of a Service in {@code namespace}, may not be served; null when it may. */
    static String refusal(String namespace, String externalName, ExternalNamePolicy policy) {
        byte[] literal = IpAddresses.parse(externalName);
        if (literal != null) {
            if (externalName.startsWith("[")) {
                return "an IP address in brackets, which is not a name";
            }
            ExternalNamePolicy.Refusal refusal = policy.refusal(literal);
            return refusal == null ? null : refusal.describe() + ", which no upstream may have";
        }
        String name = externalName.endsWith(".") ? externalName.substring(0, externalName.length() - 1)
                : externalName;
        String[] labels = name.toLowerCase(Locale.ROOT).split("\\.", -1);
        if (!isHostName(name, labels)) {
            return "which is neither a DNS name nor an IP address";
        }
        String last = labels[labels.length - 1];
        if (last.equals("localhost")) {
            // RFC 6761: every localhost name is the loopback interface.
            return "a name of the loopback interface, which no upstream may have";
        }
        if (labels.length >= 3 && labels[2].equals("svc") && !labels[1].equals(namespace)) {
            // <service>.<namespace>.svc[.<cluster domain>]: another namespace's Service, published by this one.
            return "a Service of namespace '" + labels[1] + "', which an ExternalName may only name in its own"
                    + " namespace";
        }
        return null;
    }

    /** RFC 1123 labels: letters, digits and inner hyphens, 1 to 63 each; a top label that is not all digits. */
    private static boolean isHostName(String name, String[] labels) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') {
                    return false;
                }
            }
        }
        // A numeric top label is an address in a form some resolvers read as one (127.1, 2130706433), not a name.
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
