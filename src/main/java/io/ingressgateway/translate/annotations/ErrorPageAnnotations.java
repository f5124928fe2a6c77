package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code default-backend} and {@code custom-http-errors} annotations, as ingress-nginx reads them.
 *
 * <p>{@code default-backend} names a Service in the Ingress's namespace (a DNS-1035 label, as Service names are); the
 * translator resolves it to that Service's first port, as ingress-nginx does. {@code custom-http-errors} is a comma
 * list of statuses from 400 to 599 (blanks around entries and empty entries allowed, duplicates merged); one entry
 * that is not such a status makes the whole value invalid, as ingress-nginx's validation refuses it, and nothing is
 * intercepted.
 */
public final class ErrorPageAnnotations implements AnnotationFamily<ErrorPagePolicy> {

    public static final String DEFAULT_BACKEND = "default-backend";
    public static final String CUSTOM_HTTP_ERRORS = "custom-http-errors";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(DEFAULT_BACKEND,
            CUSTOM_HTTP_ERRORS);

    private static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern STATUS = Pattern.compile("[0-9]{3}");

    @Override
    public String name() {
        return "error pages and default backend";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<ErrorPagePolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        String backend = reader.read(DEFAULT_BACKEND, ErrorPageAnnotations::serviceName);
        Set<Integer> codes = reader.read(CUSTOM_HTTP_ERRORS, ErrorPageAnnotations::statusCodes);
        if (backend == null && (codes == null || codes.isEmpty())) {
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new ErrorPagePolicy(backend == null ? null : reader.keyOf(DEFAULT_BACKEND), backend,
                codes == null ? Set.of() : codes), diagnostics);
    }

    /** A Service name: lower-case letters, digits and '-', starting with a letter, at most 63 characters. */
    static String serviceName(String value) throws AnnotationReader.Invalid {
        if (!SERVICE_NAME.matcher(value).matches()) {
            throw new AnnotationReader.Invalid("is not a Service name (a DNS-1035 label)");
        }
        return value;
    }

    /** {@code 404,503}: each entry a status from 400 to 599. */
    static Set<Integer> statusCodes(String value) throws AnnotationReader.Invalid {
        Set<Integer> codes = new TreeSet<>();
        for (String entry : value.split(",", -1)) {
            String code = entry.trim();
            if (code.isEmpty()) {
                continue;
            }
            if (!STATUS.matcher(code).matches() || code.charAt(0) < '4' || code.charAt(0) > '5') {
                throw new AnnotationReader.Invalid("is not a comma-separated list of statuses from 400 to 599 ('"
                        + code + "')");
            }
            codes.add(Integer.valueOf(code));
        }
        return codes;
    }
}
