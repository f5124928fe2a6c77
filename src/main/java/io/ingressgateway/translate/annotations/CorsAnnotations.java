package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CorsOrigin;
import io.ingressgateway.model.policy.CorsPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CORS family: {@code enable-cors}, {@code cors-allow-origin}, {@code cors-allow-methods},
 * {@code cors-allow-headers}, {@code cors-expose-headers}, {@code cors-allow-credentials} and {@code cors-max-age},
 * under both spellings, with ingress-nginx's defaults and its validation of each value (a value it would refuse is a
 * warning here, and the default applies). Nothing applies without {@code enable-cors: "true"}, as in ingress-nginx.
 *
 * <p>{@code cors-allow-origin} is a comma-separated list of {@code scheme://host[:port]}, {@code scheme://*.domain[:port]}
 * (one label), {@code null}, or {@code *} (which allows every origin, whatever else the list says). An entry that is
 * none of these is a warning and skipped; when no entry is left, no origin is allowed (ingress-nginx does the same
 * when every entry is skipped): a list meant to restrict never turns into {@code *}.
 */
public final class CorsAnnotations implements AnnotationFamily<CorsPolicy> {

    public static final String ENABLE = "enable-cors";
    public static final String ALLOW_ORIGIN = "cors-allow-origin";
    public static final String ALLOW_METHODS = "cors-allow-methods";
    public static final String ALLOW_HEADERS = "cors-allow-headers";
    public static final String EXPOSE_HEADERS = "cors-expose-headers";
    public static final String ALLOW_CREDENTIALS = "cors-allow-credentials";
    public static final String MAX_AGE = "cors-max-age";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(ENABLE, ALLOW_ORIGIN,
            ALLOW_METHODS, ALLOW_HEADERS, EXPOSE_HEADERS, ALLOW_CREDENTIALS, MAX_AGE);

    /** An origin as ingress-nginx accepts one: lowercase scheme, optional one-label wildcard, host, optional port. */
    private static final Pattern ORIGIN = Pattern.compile("([a-z]+://)(\\*\\.)?([A-Za-z0-9.-]*)(:\\d+)?");
    private static final Pattern METHOD = Pattern.compile("[A-Za-z]+");
    /** ingress-nginx's check of {@code cors-allow-headers}: letters, digits, '-', '_', ',' and spaces. */
    private static final Pattern ALLOW_HEADERS_VALUE = Pattern.compile("[A-Za-z0-9_, -]+");
    private static final Pattern EXPOSED_HEADER = Pattern.compile("[A-Za-z0-9_-]+|\\*");

    @Override
    public String name() {
        return "CORS";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<CorsPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        if (!Boolean.TRUE.equals(reader.flag(ENABLE))) {
            return new Parsed<>(null, diagnostics);
        }
        List<CorsOrigin> origins = new ArrayList<>();
        boolean anyOrigin = readOrigins(reader, origins);
        String methods = reader.read(ALLOW_METHODS, CorsAnnotations::methods);
        String headers = reader.read(ALLOW_HEADERS, CorsAnnotations::allowHeaders);
        String expose = reader.read(EXPOSE_HEADERS, CorsAnnotations::exposeHeaders);
        Boolean credentials = reader.flag(ALLOW_CREDENTIALS);
        Integer maxAge = reader.read(MAX_AGE, value -> AnnotationReader.integer(value, 0, Integer.MAX_VALUE));
        CorsPolicy policy = new CorsPolicy(anyOrigin, origins,
                methods != null ? methods : CorsPolicy.DEFAULT_METHODS,
                headers != null ? headers : CorsPolicy.DEFAULT_HEADERS,
                expose,
                !Boolean.FALSE.equals(credentials),
                maxAge != null ? maxAge : CorsPolicy.DEFAULT_MAX_AGE_SECONDS);
        return new Parsed<>(policy, diagnostics);
    }

    /** Fills {@code origins} from {@code cors-allow-origin}; true when every origin is allowed. */
    private static boolean readOrigins(AnnotationReader reader, List<CorsOrigin> origins) {
        String key = reader.keyOf(ALLOW_ORIGIN);
        if (key == null) {
            return true;
        }
        String value = reader.raw(ALLOW_ORIGIN);
        List<String> invalid = new ArrayList<>();
        for (String entry : value.split(",")) {
            String origin = entry.trim();
            if (origin.isEmpty()) {
                continue;
            }
            if (origin.equals("*")) {
                return true;
            }
            CorsOrigin parsed = origin(origin);
            if (parsed == null) {
                invalid.add(origin);
            } else {
                origins.add(parsed);
            }
        }
        String expected = "(scheme://host[:port], scheme://*.domain[:port], null or *)";
        if (origins.isEmpty()) {
            reader.warn(key, value, "names no valid origin " + expected, "no origin is allowed: no CORS headers are"
                    + " added and pre-flight requests go to the upstream");
        } else {
            for (String origin : invalid) {
                reader.warn(key, origin, "is not an origin " + expected, "the list's other origins apply");
            }
        }
        return false;
    }

    /** One origin of the list, or null when it is not one. */
    static CorsOrigin origin(String origin) {
        if (origin.equals("null")) {
            return CorsOrigin.exact(origin);
        }
        Matcher matcher = ORIGIN.matcher(origin);
        if (!matcher.matches() || matcher.group(3).isEmpty()) {
            return null;
        }
        if (matcher.group(2) == null) {
            return CorsOrigin.exact(origin);
        }
        String suffix = "." + matcher.group(3) + (matcher.group(4) == null ? "" : matcher.group(4));
        return new CorsOrigin(matcher.group(1), suffix, true);
    }

    static String methods(String value) throws AnnotationReader.Invalid {
        if (!commaSeparated(value, METHOD)) {
            throw new AnnotationReader.Invalid("is not a comma-separated list of methods (letters only)");
        }
        return value;
    }

    static String allowHeaders(String value) throws AnnotationReader.Invalid {
        if (!ALLOW_HEADERS_VALUE.matcher(value).matches() || value.replace(",", "").isBlank()) {
            throw new AnnotationReader.Invalid("is not a comma-separated list of header names (letters, digits, '-'"
                    + " and '_')");
        }
        return value;
    }

    static String exposeHeaders(String value) throws AnnotationReader.Invalid {
        if (!commaSeparated(value, EXPOSED_HEADER)) {
            throw new AnnotationReader.Invalid("is not a comma-separated list of header names (letters, digits, '-'"
                    + " and '_') or *");
        }
        return value;
    }

    /** Whether the value is items matching {@code item}, separated by commas, blanks around them allowed. */
    private static boolean commaSeparated(String value, Pattern item) {
        String[] items = value.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String trimmed = items[i].trim();
            // A trailing comma is accepted, as ingress-nginx's pattern does.
            if (trimmed.isEmpty() && i == items.length - 1 && i > 0) {
                continue;
            }
            if (!item.matcher(trimmed).matches()) {
                return false;
            }
        }
        return true;
    }
}
