package io.ingressgateway.globalratelimit;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One route's global limit, worked out once per route: the policy, its exempt client ranges read, and the prefix of
 * its counters' keys. The counters are the Ingress's (every path of it shares them, as ingress-nginx's per-Ingress
 * namespace does) and the window's (a changed window starts new counters).
 *
 * @param counterPrefix {@code <prefix><namespace>/<name>:<window ms>:}, followed by the key value
 */
record RouteLimit(GlobalRateLimitPolicy policy, List<AddressRange> exempt, long windowMillis, String counterPrefix) {

    /** Longer key values are hashed: a header can be kilobytes long, a Redis key needs not. */
    static final int MAX_RAW_KEY_LENGTH = 128;

    static RouteLimit of(GlobalRateLimitPolicy policy, IngressRef ingress, String keyPrefix) {
        List<AddressRange> exempt = policy.ignoredCidrs().stream().map(AddressRange::parse).toList();
        long windowMillis = policy.windowSeconds() * 1000;
        return new RouteLimit(policy, exempt, windowMillis,
                keyPrefix + ingress.namespace() + "/" + ingress.name() + ":" + windowMillis + ":");
    }

    /** Whether the client is in an ignored range (a client without address never is). */
    boolean exempts(InetAddress client) {
        if (client == null || exempt.isEmpty()) {
            return false;
        }
        byte[] address = client.getAddress();
        for (AddressRange range : exempt) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The Redis key of the counters of one key value. */
    String counterKey(String keyValue) {
        String value = keyValue == null ? "" : keyValue;
        return counterPrefix + (value.length() <= MAX_RAW_KEY_LENGTH ? value : "sha256:" + sha256(value));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
