package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RewritePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The regex and rewrite family, as ingress-nginx reads it: {@code use-regex} ({@code "true"}: the Ingress's paths
 * are regular expressions), {@code rewrite-target} (the path sent upstream, with {@code $1}..{@code $9}; implies
 * regex), {@code app-root} (a request for {@code /} is redirected there) and {@code x-forwarded-prefix} (a header sent
 * upstream with rewritten requests). Both spellings are read ({@link AnnotationReader}).
 *
 * <p>Values are checked with ingress-nginx's own rule for these annotations (letters, digits, {@code -._~/:} and, for
 * the target and the prefix, {@code $}), and further: a {@code $} must name a capture group ({@code $1}..{@code $9}),
 * since nginx's other variables are not evaluated here, and the app root must be a path. An empty value is "not
 * set", as in ingress-nginx.
 */
public final class RewriteAnnotations implements AnnotationFamily<RewritePolicy> {

    public static final String USE_REGEX = "use-regex";
    public static final String REWRITE_TARGET = "rewrite-target";
    public static final String APP_ROOT = "app-root";
    public static final String X_FORWARDED_PREFIX = "x-forwarded-prefix";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(USE_REGEX, REWRITE_TARGET,
            APP_ROOT, X_FORWARDED_PREFIX);

    /** ingress-nginx's RegexPathWithCapture: an optional leading slash, then path characters and {@code $}. */
    private static final Pattern PATH_WITH_CAPTURES = Pattern.compile("/?[-._~a-zA-Z0-9/:$]*");
    private static final Pattern CAPTURE_REFERENCES = Pattern.compile("(\\$[1-9]|[^$])*");
    private static final Pattern APP_ROOT_PATH = Pattern.compile("/[-._~a-zA-Z0-9/:]*");

    @Override
    public String name() {
        return "regex and rewrite";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<RewritePolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        boolean useRegex = Boolean.TRUE.equals(reader.flag(USE_REGEX));
        String target = reader.read(REWRITE_TARGET, RewriteAnnotations::pathWithCaptures);
        String appRoot = reader.read(APP_ROOT, RewriteAnnotations::appRoot);
        String prefix = reader.read(X_FORWARDED_PREFIX, RewriteAnnotations::pathWithCaptures);
        if (!useRegex && target == null && appRoot == null && prefix == null) {
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new RewritePolicy(useRegex, target, appRoot, prefix), diagnostics);
    }

    /** A rewrite target or forwarded prefix: null (not set) when empty. */
    static String pathWithCaptures(String value) throws AnnotationReader.Invalid {
        if (value.isEmpty()) {
            return null;
        }
        if (!PATH_WITH_CAPTURES.matcher(value).matches()) {
            throw new AnnotationReader.Invalid("may hold only letters, digits, '/', '-', '.', '_', '~', ':' and"
                    + " capture groups $1 to $9");
        }
        if (!CAPTURE_REFERENCES.matcher(value).matches()) {
            throw new AnnotationReader.Invalid("has a '$' that is not a capture group $1 to $9 (nginx variables are"
                    + " not supported)");
        }
        return value;
    }

    /** An app root: a path, null (not set) when empty. */
    static String appRoot(String value) throws AnnotationReader.Invalid {
        if (value.isEmpty()) {
            return null;
        }
        if (!APP_ROOT_PATH.matcher(value).matches()) {
            throw new AnnotationReader.Invalid("is not a path (a '/' then letters, digits, '/', '-', '.', '_', '~' or"
                    + " ':')");
        }
        return value;
    }
}
