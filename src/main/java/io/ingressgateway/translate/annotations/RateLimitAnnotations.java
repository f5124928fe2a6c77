package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RateLimitPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local rate limit family: reads {@code limit-rps}, {@code limit-rpm}, {@code limit-burst-multiplier},
 * {@code limit-connections} and {@code limit-whitelist} (or its newer name {@code limit-allowlist}, which wins, as in
 * ingress-nginx), {@code limit-rate} and {@code limit-rate-after} (kilobytes per second and kilobytes) into a {@link RateLimitPolicy} that the data plane enforces per replica and per client address.
 *
 * <p>A limit that cannot be read is a warning and is not applied (ingress-nginx drops it too); the other limits still
 * apply. An unreadable exemption list is where this gateway is stricter than ingress-nginx, which then drops every
 * limit of the Ingress: here the list is ignored and the limits apply to every client address, so a typo never turns
 * a protection off.
 */
public final class RateLimitAnnotations implements AnnotationFamily<RateLimitPolicy> {

    public static final String RPS = "limit-rps";
    public static final String RPM = "limit-rpm";
    public static final String BURST_MULTIPLIER = "limit-burst-multiplier";
    public static final String CONNECTIONS = "limit-connections";
    public static final String WHITELIST = "limit-whitelist";
    public static final String ALLOWLIST = "limit-allowlist";
    public static final String RATE = "limit-rate";
    public static final String RATE_AFTER = "limit-rate-after";

    /** Largest limit read: beyond this a per-replica limit protects nothing and only risks overflow. */
    static final int MAX_LIMIT = 1_000_000;
    /** Largest burst multiplier read. */
    static final int MAX_BURST_MULTIPLIER = 1_000;

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(RPS, RPM, BURST_MULTIPLIER,
            CONNECTIONS, WHITELIST, ALLOWLIST, RATE, RATE_AFTER);

    @Override
    public String name() {
        return "local rate limits";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<RateLimitPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        int rps = orZero(reader.read(RPS, RateLimitAnnotations::limit));
        int rpm = orZero(reader.read(RPM, RateLimitAnnotations::limit));
        int connections = orZero(reader.read(CONNECTIONS, RateLimitAnnotations::limit));
        Integer multiplier = reader.read(BURST_MULTIPLIER,
                value -> AnnotationReader.integer(value, 0, MAX_BURST_MULTIPLIER));
        List<String> exempt = exemptions(reader);
        int rate = orZero(reader.read(RATE, RateLimitAnnotations::limit));
        int rateAfter = orZero(reader.read(RATE_AFTER, RateLimitAnnotations::limit));
        RateLimitPolicy policy = new RateLimitPolicy(rps, rpm,
                multiplier == null ? RateLimitPolicy.DEFAULT_BURST_MULTIPLIER : multiplier, connections,
                exempt == null ? List.of() : exempt, rate, rateAfter);
        return new Parsed<>(policy.limits() ? policy : null, diagnostics);
    }

    /**
     * The exempt blocks, from {@code limit-allowlist} when set, else {@code limit-whitelist}; null when neither is set
     * or the list cannot be read (then nothing is exempt, which the warning says).
     */
    private static List<String> exemptions(AnnotationReader reader) {
        String name = reader.isSet(ALLOWLIST) ? ALLOWLIST : WHITELIST;
        String key = reader.keyOf(name);
        if (key == null) {
            return null;
        }
        String value = reader.raw(name);
        try {
            return cidrs(value);
        } catch (Invalid e) {
            reader.warn(key, value, e.getMessage(), "no client address is exempt: the limits apply to every one");
            return null;
        }
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /** A limit: a whole number, 0 meaning "no limit" as in ingress-nginx. */
    static int limit(String value) throws Invalid {
        return AnnotationReader.integer(value, 0, MAX_LIMIT);
    }

    /**
     * A comma-separated list of CIDR blocks or bare addresses, in canonical form; an invalid entry refuses the whole
     * list, with the reason naming the entry.
     */
    static List<String> cidrs(String value) throws Invalid {
        List<String> blocks = new ArrayList<>();
        for (String entry : value.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                blocks.add(AddressRange.parse(trimmed).toString());
            } catch (IllegalArgumentException e) {
                throw new Invalid("is not a comma-separated list of CIDR blocks: " + e.getMessage());
            }
        }
        return List.copyOf(blocks);
    }
}
