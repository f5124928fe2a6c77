package io.ingressgateway.globalratelimit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * ingress-nginx's sliding-window estimate (lua-resty-global-throttle 0.2), as one Redis script so that each request
 * costs one round trip and the read-and-increment is atomic across replicas.
 *
 * <p>Time is cut into fixed windows; a request is counted in the current one. Its admission estimates the count over
 * the sliding window ending now: the current window's count plus the previous window's, weighted by how much of the
 * previous window the sliding one still covers (the previous count capped at the limit, so a burst is not punished
 * twice). A request is refused when that estimate has reached the limit, and a refused request is not counted; so a
 * client under the limit gets exactly {@code limit} requests in a fresh window, and one that used them all gets its
 * next ones back gradually through the following window. The refusal says when the estimate falls under the limit
 * again (ingress-nginx's "desired delay"), sent as {@code Retry-After}.
 *
 * <p>The clock is Redis's ({@code TIME}): replicas with skewed clocks still agree on the windows. The counters of one
 * key live in one hash (a field per window number, the previous one kept), expiring two windows after its last
 * counted request, so an idle client costs nothing. One key per script call: fine with Redis Cluster's slots too.
 */
final class SlidingWindowScript {

    /**
     * KEYS[1]: the counters of one Ingress and key value; ARGV[1]: the limit; ARGV[2]: the window in milliseconds.
     * Returns {1, 0} when the request is admitted (and counted), {0, milliseconds until the estimate falls under the
     * limit} when not.
     */
    static final String SOURCE = """
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local current = math.floor(now / window)
            local remaining = window - (now - current * window)
            local field = string.format('%d', current)
            local count = tonumber(redis.call('HGET', KEYS[1], field) or '0')
            if count >= limit then
              return {0, remaining}
            end
            local previous = tonumber(redis.call('HGET', KEYS[1], string.format('%d', current - 1)) or '0')
            if previous > limit then
              previous = limit
            end
            if previous * remaining / window + count >= limit then
              return {0, math.ceil(remaining - (limit - count) * window / previous)}
            end
            redis.call('HINCRBY', KEYS[1], field, 1)
            redis.call('HDEL', KEYS[1], string.format('%d', current - 2))
            redis.call('PEXPIRE', KEYS[1], 2 * window)
            return {1, 0}
            """;

    /** The script's SHA-1, by which Redis runs it once it knows it ({@code EVALSHA}). */
    static final String SHA1 = sha1(SOURCE);

    private SlidingWindowScript() {
    }

    /** The script's answer: whether the request is admitted, and if not, for how long the key stays over its limit. */
    record Admission(boolean admitted, long retryAfterMillis) {

        static final Admission ADMITTED = new Admission(true, 0);

        static Admission of(List<?> reply) {
            if (reply == null || reply.size() != 2 || !(reply.get(0) instanceof Number admitted)
                    || !(reply.get(1) instanceof Number delay)) {
                throw new IllegalStateException("unexpected answer of the rate limit script: " + reply);
            }
            return admitted.longValue() == 1 ? ADMITTED : new Admission(false, Math.max(0, delay.longValue()));
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
