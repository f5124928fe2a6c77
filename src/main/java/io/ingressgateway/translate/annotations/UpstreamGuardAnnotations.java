package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.NextUpstream;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import io.ingressgateway.translate.annotations.AnnotationReader.Parser;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The upstream guard family: reads the timeout, bulkhead, retry and circuit-breaker overrides of one Ingress into an
 * {@link UpstreamPolicy}, which the data plane's {@code UpstreamGuardFilter} applies to every route of the Ingress.
 *
 * <p>Our own spelling ({@code ingress-gateway.io/...}) wins over ingress-nginx's when both are present. A value that
 * cannot be read becomes a warning naming the annotation and the value, and that one setting keeps its default (or
 * the ingress-nginx spelling's value, when that one is valid): one bad annotation never disturbs anything else.
 */
public final class UpstreamGuardAnnotations implements AnnotationFamily<UpstreamPolicy> {

    public static final String PREFIX = "ingress-gateway.io/";
    public static final String CONNECT_TIMEOUT = PREFIX + "connect-timeout";
    public static final String READ_TIMEOUT = PREFIX + "read-timeout";
    public static final String SEND_TIMEOUT = PREFIX + "send-timeout";
    public static final String MAX_CONCURRENT_REQUESTS = PREFIX + "max-concurrent-requests";
    public static final String RETRIES = PREFIX + "retries";
    public static final String CIRCUIT_BREAKER_FAILURE_RATE = PREFIX + "circuit-breaker-failure-rate";
    public static final String CIRCUIT_BREAKER_SLOW_CALL_DURATION = PREFIX + "circuit-breaker-slow-call-duration";
    public static final String NGINX_CONNECT_TIMEOUT = "nginx.ingress.kubernetes.io/proxy-connect-timeout";
    public static final String NGINX_READ_TIMEOUT = "nginx.ingress.kubernetes.io/proxy-read-timeout";
    public static final String NGINX_SEND_TIMEOUT = "nginx.ingress.kubernetes.io/proxy-send-timeout";
    /** Short names, read under both spellings: which failures are retried, how many tries, for how long. */
    public static final String NEXT_UPSTREAM = "proxy-next-upstream";
    public static final String NEXT_UPSTREAM_TRIES = "proxy-next-upstream-tries";
    public static final String NEXT_UPSTREAM_TIMEOUT = "proxy-next-upstream-timeout";

    /** Longest duration accepted: a day (websocket Ingresses from ingress-nginx often carry an hour or more). */
    static final Duration MAX_DURATION = Duration.ofDays(1);
    static final int MAX_CONCURRENT_REQUESTS_LIMIT = 1_000_000;
    static final int MAX_RETRIES = 10;

    /** One or more {@code <digits><unit>} parts ({@code 1m30s}), or bare digits meaning seconds. */
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3})?)%?");

    /** The longest {@code proxy-next-upstream-timeout}, in seconds: a day, as every other duration here. */
    static final int MAX_NEXT_UPSTREAM_SECONDS = 86_400;

    private static final Set<String> ANNOTATIONS = union(Set.of(CONNECT_TIMEOUT, READ_TIMEOUT,
            MAX_CONCURRENT_REQUESTS, RETRIES, CIRCUIT_BREAKER_FAILURE_RATE, CIRCUIT_BREAKER_SLOW_CALL_DURATION,
            NGINX_CONNECT_TIMEOUT, NGINX_READ_TIMEOUT, SEND_TIMEOUT, NGINX_SEND_TIMEOUT),
            AnnotationReader.bothSpellings(NEXT_UPSTREAM, NEXT_UPSTREAM_TRIES, NEXT_UPSTREAM_TIMEOUT));

    @Override
    public String name() {
        return "upstream guard";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<UpstreamPolicy> parse(Map<String, String> annotations) {
        if (annotations == null || annotations.isEmpty()) {
            return Parsed.nothing();
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        Reader reader = new Reader(annotations, diagnostics);
        Duration connectTimeout = reader.either(CONNECT_TIMEOUT, NGINX_CONNECT_TIMEOUT);
        Duration readTimeout = reader.either(READ_TIMEOUT, NGINX_READ_TIMEOUT);
        Duration sendTimeout = reader.either(SEND_TIMEOUT, NGINX_SEND_TIMEOUT);
        Integer maxConcurrent = reader.read(MAX_CONCURRENT_REQUESTS,
                value -> integer(value, 1, MAX_CONCURRENT_REQUESTS_LIMIT));
        Float failureRate = reader.read(CIRCUIT_BREAKER_FAILURE_RATE, UpstreamGuardAnnotations::percent);
        Duration slowCall = reader.read(CIRCUIT_BREAKER_SLOW_CALL_DURATION, UpstreamGuardAnnotations::duration);
        AnnotationReader nextUpstreamReader = new AnnotationReader(annotations, diagnostics);
        NextUpstream nextUpstream = nextUpstreamReader.read(NEXT_UPSTREAM, UpstreamGuardAnnotations::nextUpstream);
        Integer tries = nextUpstreamReader.read(NEXT_UPSTREAM_TRIES,
                value -> integer(value, 0, MAX_RETRIES + 1));
        Integer timeoutSeconds = nextUpstreamReader.read(NEXT_UPSTREAM_TIMEOUT,
                value -> integer(value, 0, MAX_NEXT_UPSTREAM_SECONDS));
        // Our retries count the attempts after the first; ingress-nginx's tries count them all, 0 meaning no limit.
        Integer retries = reader.read(RETRIES, value -> integer(value, 0, MAX_RETRIES),
                tries != null ? nextUpstreamReader.keyOf(NEXT_UPSTREAM_TRIES) + " applies" : "the default applies");
        if (retries == null && tries != null) {
            retries = tries == 0 ? MAX_RETRIES : tries - 1;
        }
        Duration nextUpstreamTimeout = timeoutSeconds == null || timeoutSeconds == 0 ? null
                : Duration.ofSeconds(timeoutSeconds);
        UpstreamPolicy policy = new UpstreamPolicy(connectTimeout, readTimeout, maxConcurrent, retries, failureRate,
                slowCall, sendTimeout, nextUpstream, nextUpstreamTimeout);
        return new Parsed<>(policy.equals(UpstreamPolicy.DEFAULTS) ? null : policy, diagnostics);
    }

    private record Reader(Map<String, String> annotations, List<Diagnostic> diagnostics) {

        /** The parsed value of an annotation; null when absent or invalid (then with a diagnostic). */
        <T> T read(String name, Parser<T> parser) {
            return read(name, parser, "the default applies");
        }

        <T> T read(String name, Parser<T> parser, String instead) {
            String raw = annotations.get(name);
            if (raw == null) {
                return null;
            }
            try {
                return parser.parse(raw.trim());
            } catch (Invalid e) {
                diagnostics.add(Diagnostic.warning("metadata.annotations['" + name + "']", "value '" + raw + "' "
                        + e.getMessage() + "; ignored, " + instead));
                return null;
            }
        }

        /** A timeout from our annotation, else from ingress-nginx's (read only when ours gives nothing). */
        Duration either(String ours, String nginx) {
            boolean nginxValid = annotations.containsKey(nginx) && quietly(nginx);
            Duration value = read(ours, UpstreamGuardAnnotations::duration,
                    nginxValid ? nginx + " applies" : "the default applies");
            return value != null ? value : read(nginx, UpstreamGuardAnnotations::nginxSeconds);
        }

        private boolean quietly(String nginx) {
            try {
                nginxSeconds(annotations.get(nginx).trim());
                return true;
            } catch (Invalid e) {
                return false;
            }
        }
    }

    /**
     * ingress-nginx's {@code proxy-next-upstream}: {@code off}, or blank-separated conditions among {@code error},
     * {@code timeout}, {@code invalid_header}, {@code http_403}, {@code http_404}, {@code http_429}, {@code http_500},
     * {@code http_502}, {@code http_503}, {@code http_504} and {@code non_idempotent}.
     */
    static NextUpstream nextUpstream(String value) throws Invalid {
        String expected = "is not 'off' or a list of error, timeout, invalid_header, http_403, http_404, http_429,"
                + " http_500, http_502, http_503, http_504, non_idempotent";
        String[] tokens = value.trim().toLowerCase(Locale.ROOT).split("\\s+");
        if (tokens.length == 1 && tokens[0].equals("off")) {
            return NextUpstream.OFF;
        }
        boolean error = false;
        boolean timeout = false;
        boolean invalidHeader = false;
        boolean nonIdempotent = false;
        Set<Integer> statuses = new TreeSet<>();
        for (String token : tokens) {
            switch (token) {
                case "error" -> error = true;
                case "timeout" -> timeout = true;
                case "invalid_header" -> invalidHeader = true;
                case "non_idempotent" -> nonIdempotent = true;
                default -> {
                    Integer status = token.startsWith("http_") && token.length() == 8
                            && token.substring(5).chars().allMatch(Character::isDigit)
                            ? Integer.valueOf(token.substring(5)) : null;
                    if (status == null || !NextUpstream.RETRIABLE_STATUSES.contains(status)) {
                        throw new Invalid(expected);
                    }
                    statuses.add(status);
                }
            }
        }
        NextUpstream parsed = new NextUpstream(error, timeout, invalidHeader, statuses, nonIdempotent);
        if (!parsed.retriesAnything()) {
            throw new Invalid("names no condition to retry on (use 'off' to turn retries off)");
        }
        return parsed;
    }

    private static Set<String> union(Set<String> first, Set<String> second) {
        Set<String> all = new java.util.HashSet<>(first);
        all.addAll(second);
        return Set.copyOf(all);
    }

    /** {@code 500ms}, {@code 5s}, {@code 1m}, {@code 1h}, combinations ({@code 1m30s}), or bare seconds. */
    static Duration duration(String value) throws Invalid {
        String expected = "is not a duration (a whole number with unit ms, s, m or h, like 500ms, 5s or 1m, or a"
                + " number of seconds)";
        if (value.isEmpty()) {
            throw new Invalid(expected);
        }
        if (DIGITS.matcher(value).matches()) {
            return bounded(toDuration(value, "s"));
        }
        Matcher parts = DURATION.matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (parts.find()) {
            if (parts.start() != end) {
                throw new Invalid(expected);
            }
            total = total.plus(toDuration(parts.group(1), parts.group(2)));
            if (total.compareTo(MAX_DURATION) > 0) {
                throw new Invalid("is longer than the maximum of 24h");
            }
            end = parts.end();
        }
        if (end != value.length() || end == 0) {
            throw new Invalid(expected);
        }
        return bounded(total);
    }

    /** ingress-nginx's {@code proxy-*-timeout}: a whole number of seconds, as ingress-nginx reads it. */
    static Duration nginxSeconds(String value) throws Invalid {
        if (!DIGITS.matcher(value).matches()) {
            throw new Invalid("is not a whole number of seconds (ingress-nginx's proxy timeouts take no unit)");
        }
        return bounded(toDuration(value, "s"));
    }

    private static Duration toDuration(String digits, String unit) throws Invalid {
        // Digits longer than any sane bound are refused before they can overflow.
        if (digits.length() > 9) {
            throw new Invalid("is longer than the maximum of 24h");
        }
        long amount = Long.parseLong(digits);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    private static Duration bounded(Duration duration) throws Invalid {
        if (duration.isZero()) {
            throw new Invalid("must be greater than zero");
        }
        if (duration.compareTo(MAX_DURATION) > 0) {
            throw new Invalid("is longer than the maximum of 24h");
        }
        return duration;
    }

    static Integer integer(String value, int min, int max) throws Invalid {
        return AnnotationReader.integer(value, min, max);
    }

    /** A percentage from 1 to 100, optionally with a {@code %} sign and up to three decimals. */
    static Float percent(String value) throws Invalid {
        Matcher matcher = PERCENT.matcher(value);
        if (!matcher.matches()) {
            throw new Invalid("is not a percentage (a number from 1 to 100)");
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        if (number.compareTo(BigDecimal.ONE) < 0 || number.compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new Invalid("is out of range (a percentage from 1 to 100)");
        }
        return number.floatValue();
    }
}
