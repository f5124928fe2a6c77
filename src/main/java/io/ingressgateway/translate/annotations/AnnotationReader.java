package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one family's annotations of one Ingress by their short name ({@code rewrite-target}), under both spellings:
 * ours ({@value #OUR_PREFIX}) and ingress-nginx's ({@value #NGINX_PREFIX}). Ours wins when both are set. A value that
 * cannot be read becomes a warning naming the annotation and the value, and the reader falls back to the other
 * spelling's value when that one is readable, else to "not set": the family's default applies, nothing else changes.
 *
 * <p>Families keep their parsing rules in {@link Parser}s, which throw {@link Invalid} with a reason phrased to follow
 * "value 'x' ..." ({@code "is not a whole number"}).
 */
public final class AnnotationReader {

    public static final String OUR_PREFIX = "ingress-gateway.io/";
    public static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";

    private final Map<String, String> annotations;
    private final List<Diagnostic> diagnostics;

    /**
     * @param annotations the Ingress's annotations (full keys)
     * @param diagnostics where warnings about unreadable values go
     */
    public AnnotationReader(Map<String, String> annotations, List<Diagnostic> diagnostics) {
        this.annotations = annotations == null ? Map.of() : annotations;
        this.diagnostics = diagnostics;
    }

    /** Both spellings of each short name: what a family declares in {@link AnnotationFamily#annotations()}. */
    public static Set<String> bothSpellings(String... names) {
        Set<String> keys = new LinkedHashSet<>();
        for (String name : names) {
            keys.add(OUR_PREFIX + name);
            keys.add(NGINX_PREFIX + name);
        }
        return Set.copyOf(keys);
    }

    /** Whether either spelling of the annotation is present, readable or not. */
    public boolean isSet(String name) {
        return annotations.containsKey(OUR_PREFIX + name) || annotations.containsKey(NGINX_PREFIX + name);
    }

    /** The full key that {@link #read} would take the value from (ours when set), or null when neither is set. */
    public String keyOf(String name) {
        if (annotations.containsKey(OUR_PREFIX + name)) {
            return OUR_PREFIX + name;
        }
        return annotations.containsKey(NGINX_PREFIX + name) ? NGINX_PREFIX + name : null;
    }

    /** The raw value as written (ours when set, else ingress-nginx's), or null. */
    public String raw(String name) {
        String ours = annotations.get(OUR_PREFIX + name);
        return ours != null ? ours : annotations.get(NGINX_PREFIX + name);
    }

    /**
     * The parsed value of the annotation: ours when set and readable, else ingress-nginx's when set and readable, else
     * null. Each unreadable value is reported once, saying what applies instead.
     */
    public <T> T read(String name, Parser<T> parser) {
        String ourKey = OUR_PREFIX + name;
        String nginxKey = NGINX_PREFIX + name;
        String ours = annotations.get(ourKey);
        String nginx = annotations.get(nginxKey);
        T nginxValue = null;
        String nginxReason = null;
        if (nginx != null) {
            try {
                nginxValue = parser.parse(nginx.trim());
            } catch (Invalid e) {
                nginxReason = e.getMessage();
            }
        }
        if (ours != null) {
            try {
                T value = parser.parse(ours.trim());
                // Ours wins; a broken ingress-nginx spelling beside it is still worth saying.
                if (nginxReason != null) {
                    warn(nginxKey, nginx, nginxReason, ourKey + " applies");
                }
                return value;
            } catch (Invalid e) {
                warn(ourKey, ours, e.getMessage(), nginxValue != null ? nginxKey + " applies" : "the default applies");
            }
        }
        if (nginxReason != null) {
            warn(nginxKey, nginx, nginxReason, "the default applies");
        }
        return nginxValue;
    }

    /** A boolean annotation as ingress-nginx reads one: {@code "true"} or {@code "false"}, any case. */
    public Boolean flag(String name) {
        return read(name, AnnotationReader::bool);
    }

    /** Adds a warning about the annotation {@code key} (a full key) and its value. */
    public void warn(String key, String value, String reason, String instead) {
        diagnostics.add(Diagnostic.warning(field(key), "value '" + value + "' " + reason + "; ignored, " + instead));
    }

    /** The diagnostic field naming one annotation. */
    public static String field(String key) {
        return "metadata.annotations['" + key + "']";
    }

    /** {@code true} or {@code false}, any case, surrounding blanks ignored. */
    public static Boolean bool(String value) throws Invalid {
        String lower = value.trim().toLowerCase(Locale.ROOT);
        if (lower.equals("true") || lower.equals("false")) {
            return Boolean.valueOf(lower);
        }
        throw new Invalid("is not \"true\" or \"false\"");
    }

    /** A whole number in {@code [min, max]}, as written in decimal (an optional sign, no blanks inside). */
    public static int integer(String value, int min, int max) throws Invalid {
        String range = "between " + min + " and " + max;
        if (!value.matches("[+-]?\\d+")) {
            throw new Invalid("is not a whole number " + range);
        }
        String digits = value.replaceFirst("^[+-]", "").replaceFirst("^0+(?=\\d)", "");
        // Up to 18 digits fit a long, which every int range can be compared in (10-digit ints up to 2147483647
        // included); longer is out of any int range.
        if (digits.length() > 18) {
            throw new Invalid("is out of range (" + range + ")");
        }
        long parsed = Long.parseLong(digits) * (value.startsWith("-") ? -1 : 1);
        if (parsed < min || parsed > max) {
            throw new Invalid("is out of range (" + range + ")");
        }
        return (int) parsed;
    }

    /** Parses one annotation value (already trimmed). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String value) throws Invalid;
    }

    /** Why a value was refused, phrased to follow "value 'x' ...". */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }
}
