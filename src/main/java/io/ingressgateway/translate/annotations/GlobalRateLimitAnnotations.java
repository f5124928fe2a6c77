package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BalancePolicy.HashKey;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The global rate limit family, read as ingress-nginx read it (its releases up to 1.11; 1.12 removed the feature with
 * its memcached store): {@code global-rate-limit} requests per {@code global-rate-limit-window} (a Go duration such as
 * {@code 1m}, truncated to whole seconds) for each value of {@code global-rate-limit-key} (nginx variables, default
 * {@code $remote_addr}), clients in {@code global-rate-limit-ignored-cidrs} exempt. Both the limit and the window are
 * required, and either at 0 (a window under a second included) turns the limit off, as in ingress-nginx.
 *
 * <p>Invalid values are warnings: an unreadable limit or window leaves the Ingress without a global limit (where
 * ingress-nginx denied the location over an unreadable window), an unreadable key counts by {@code $remote_addr} (as
 * ingress-nginx falls back), and an unreadable list of ignored CIDRs exempts nobody (the stricter reading: a typo
 * never opens the limit to everyone).
 */
public final class GlobalRateLimitAnnotations implements AnnotationFamily<GlobalRateLimitPolicy> {

    public static final String LIMIT = "global-rate-limit";
    public static final String WINDOW = "global-rate-limit-window";
    public static final String KEY = "global-rate-limit-key";
    public static final String IGNORED_CIDRS = "global-rate-limit-ignored-cidrs";

    /** ingress-nginx's default key: the client's address. */
    public static final String DEFAULT_KEY = "$remote_addr";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(LIMIT, WINDOW, KEY, IGNORED_CIDRS);

    /** One term of a Go duration: a decimal number and its unit. */
    private static final Pattern DURATION_TERM = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    /** A year: longer windows are refused rather than overflowing the store's arithmetic. */
    private static final long MAX_WINDOW_SECONDS = 366L * 24 * 3600;

    @Override
    public String name() {
        return "global rate limit";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<GlobalRateLimitPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        Integer limit = reader.read(LIMIT, value -> AnnotationReader.integer(value, 0, Integer.MAX_VALUE));
        Long window = reader.read(WINDOW, GlobalRateLimitAnnotations::windowSeconds);
        HashKey key = reader.read(KEY, GlobalRateLimitAnnotations::key);
        List<String> ignored = reader.read(IGNORED_CIDRS, GlobalRateLimitAnnotations::cidrs);
        if (limit == null || window == null || limit == 0 || window == 0) {
            explainOff(reader, limit, window);
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new GlobalRateLimitPolicy(limit, window, key != null ? key : defaultKey(),
                ignored != null ? ignored : List.of()), diagnostics);
    }

    /** Says why a limit that was asked for does not apply, when no warning said it already. */
    private static void explainOff(AnnotationReader reader, Integer limit, Long window) {
        if (limit != null && limit > 0 && window == null && !reader.isSet(WINDOW)) {
            reader.warn(reader.keyOf(LIMIT), reader.raw(LIMIT), "needs " + WINDOW + " beside it, as in ingress-nginx",
                    "no global rate limit applies");
        } else if (window != null && window > 0 && limit == null && !reader.isSet(LIMIT)) {
            reader.warn(reader.keyOf(WINDOW), reader.raw(WINDOW), "needs " + LIMIT + " beside it, as in ingress-nginx",
                    "no global rate limit applies");
        } else if (window != null && window == 0 && limit != null && limit > 0
                && !reader.raw(WINDOW).trim().equals("0")) {
            reader.warn(reader.keyOf(WINDOW), reader.raw(WINDOW), "is shorter than a second, which ingress-nginx"
                    + " truncates to 0 and so turns the limit off", "no global rate limit applies");
        }
    }

    static HashKey defaultKey() {
        try {
            return BalanceAnnotations.nginxText(DEFAULT_KEY);
        } catch (Invalid e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key of nginx variables and text, as {@code upstream-hash-by} reads one. */
    static HashKey key(String value) throws Invalid {
        return BalanceAnnotations.nginxText(value);
    }

    /**
     * A Go duration ({@code 90s}, {@code 1m}, {@code 1h30m}, {@code 1.5h}, {@code 0}) as whole seconds, truncated as
     * ingress-nginx does ({@code int(window.Seconds())}).
     */
    static long windowSeconds(String value) throws Invalid {
        if (value.equals("0")) {
            return 0;
        }
        if (value.startsWith("-")) {
            throw new Invalid("is negative");
        }
        String terms = value.startsWith("+") ? value.substring(1) : value;
        if (terms.isEmpty()) {
            throw new Invalid("is not a duration such as 1m, 90s or 1h30m");
        }
        Matcher matcher = DURATION_TERM.matcher(terms);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < terms.length()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new Invalid("is not a duration such as 1m, 90s or 1h30m");
            }
            nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
            at = matcher.end();
        }
        BigDecimal seconds = nanos.movePointLeft(9);
        if (seconds.compareTo(BigDecimal.valueOf(MAX_WINDOW_SECONDS)) > 0) {
            throw new Invalid("is longer than a year");
        }
        return seconds.longValue();
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L; // h
        };
    }

    /** A comma-separated list of addresses and CIDR blocks, each normalized ({@code 10.1.2.3/8} -> {@code 10.0.0.0/8}). */
    static List<String> cidrs(String value) throws Invalid {
        Set<String> ranges = new LinkedHashSet<>();
        for (String item : value.split(",", -1)) {
            String cidr = item.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            try {
                ranges.add(AddressRange.parse(cidr).toString());
            } catch (IllegalArgumentException e) {
                throw new Invalid("holds '" + cidr + "', which is not an IP address or CIDR block, so no client is"
                        + " exempt");
            }
        }
        return List.copyOf(ranges);
    }
}
