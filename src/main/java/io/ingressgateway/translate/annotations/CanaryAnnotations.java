package io.ingressgateway.translate.annotations;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CanaryRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canary family, as ingress-nginx reads it: {@code canary: "true"} makes the Ingress the canary of the main
 * Ingress serving the same host and path, taking the requests that {@code canary-by-header} (with
 * {@code canary-by-header-value} or {@code canary-by-header-pattern}), {@code canary-by-cookie} and
 * {@code canary-weight} (of {@code canary-weight-total}, 100 by default) select, in that precedence.
 *
 * <p>The policy ({@link CanaryRules}) marks the Ingress as a canary: its rules claim no path. Without
 * {@code canary: "true"} the other keys mean nothing and are a warning, as ingress-nginx refuses them
 * ("configured but not enabled"). An unreadable weight is 0, an unreadable total 100, an unreadable header or cookie
 * name is no rule (each a warning); a pattern RE2 cannot compile is a warning and keeps requests carrying the header on
 * the main backend, which is what ingress-nginx does when its regex fails.
 */
public final class CanaryAnnotations implements AnnotationFamily<CanaryRules> {

    public static final String CANARY = "canary";
    public static final String BY_HEADER = "canary-by-header";
    public static final String BY_HEADER_VALUE = "canary-by-header-value";
    public static final String BY_HEADER_PATTERN = "canary-by-header-pattern";
    public static final String BY_COOKIE = "canary-by-cookie";
    public static final String WEIGHT = "canary-weight";
    public static final String WEIGHT_TOTAL = "canary-weight-total";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(CANARY, BY_HEADER, BY_HEADER_VALUE,
            BY_HEADER_PATTERN, BY_COOKIE, WEIGHT, WEIGHT_TOTAL);

    /** RFC 9110's token: what a header or cookie name may be. */
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final int MAX_PATTERN_LENGTH = 1024;
    private static final int MAX_WEIGHT = 999_999_999;

    @Override
    public String name() {
        return "canary";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<CanaryRules> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        boolean canary = Boolean.TRUE.equals(reader.flag(CANARY));
        if (!canary) {
            for (String name : List.of(BY_HEADER, BY_HEADER_VALUE, BY_HEADER_PATTERN, BY_COOKIE, WEIGHT,
                    WEIGHT_TOTAL)) {
                String key = reader.keyOf(name);
                if (key != null) {
                    diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), "value '" + reader.raw(name)
                            + "' has no effect without "
                            + AnnotationReader.NGINX_PREFIX + CANARY + ": \"true\"; ignored (the Ingress is served"
                            + " as a main Ingress)"));
                }
            }
            return new Parsed<>(null, diagnostics);
        }
        String header = reader.read(BY_HEADER, CanaryAnnotations::name);
        String headerValue = reader.read(BY_HEADER_VALUE, CanaryAnnotations::optional);
        String headerPattern = reader.read(BY_HEADER_PATTERN, CanaryAnnotations::optional);
        String cookie = reader.read(BY_COOKIE, CanaryAnnotations::name);
        Integer weight = reader.read(WEIGHT, value -> AnnotationReader.integer(value, 0, MAX_WEIGHT));
        Integer total = reader.read(WEIGHT_TOTAL, value -> AnnotationReader.integer(value, 1, MAX_WEIGHT));
        if (header == null) {
            for (String name : List.of(BY_HEADER_VALUE, BY_HEADER_PATTERN)) {
                String value = name.equals(BY_HEADER_VALUE) ? headerValue : headerPattern;
                if (value != null) {
                    diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(name)), "value '" + value
                            + "' has no effect without " + BY_HEADER + "; ignored"));
                }
            }
            headerValue = null;
            headerPattern = null;
        } else if (headerValue != null && headerPattern != null) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(BY_HEADER_PATTERN)), "value '"
                    + headerPattern + "' has no effect beside " + BY_HEADER_VALUE + ", which takes precedence (as in"
                    + " ingress-nginx); ignored"));
            headerPattern = null;
        } else if (headerPattern != null) {
            String problem = patternProblem(headerPattern);
            if (problem != null) {
                diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(BY_HEADER_PATTERN)), "value '"
                        + headerPattern + "' " + problem + "; requests carrying header " + header + " go to the main"
                        + " backend (as in ingress-nginx when the regex fails)"));
            }
        }
        return new Parsed<>(new CanaryRules(header, headerValue, headerPattern, cookie, weight == null ? 0 : weight,
                total == null ? CanaryRules.DEFAULT_WEIGHT_TOTAL : total), diagnostics);
    }

    /** Why RE2 will not run {@code pattern}, or null when it compiles. */
    public static String patternProblem(String pattern) {
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            return "is longer than " + MAX_PATTERN_LENGTH + " characters";
        }
        try {
            Pattern.compile(pattern);
            return null;
        } catch (PatternSyntaxException e) {
            return "is not a regular expression RE2 accepts (no backreferences nor lookaround): "
                    + e.getDescription();
        }
    }

    /** A header or cookie name; null (no rule) when empty. */
    static String name(String value) throws AnnotationReader.Invalid {
        if (value.isEmpty()) {
            return null;
        }
        if (!TOKEN.matcher(value).matches()) {
            throw new AnnotationReader.Invalid("is not a header or cookie name (letters, digits and"
                    + " !#$%&'*+.^_`|~- only)");
        }
        return value;
    }

    /** A value or pattern as written; null (not set) when empty, as ingress-nginx ignores an empty one. */
    static String optional(String value) {
        return value.isEmpty() ? null : value;
    }
}
