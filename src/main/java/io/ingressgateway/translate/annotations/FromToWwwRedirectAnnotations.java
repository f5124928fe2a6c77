package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.FromToWwwPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code from-to-www-redirect} annotation, as ingress-nginx reads it ({@code "true"} or {@code "false"}, default
 * false): requests for {@code www.<host>} are redirected to {@code <host>}, or for {@code <host>} to
 * {@code www.<host>} when the rule host is the www one. The translator makes the counterpart host's redirect routes.
 */
public final class FromToWwwRedirectAnnotations implements AnnotationFamily<FromToWwwPolicy> {

    public static final String FROM_TO_WWW_REDIRECT = "from-to-www-redirect";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(FROM_TO_WWW_REDIRECT);

    @Override
    public String name() {
        return "from/to www redirect";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<FromToWwwPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        Boolean on = reader.flag(FROM_TO_WWW_REDIRECT);
        return new Parsed<>(Boolean.TRUE.equals(on) ? new FromToWwwPolicy(reader.keyOf(FROM_TO_WWW_REDIRECT)) : null,
                diagnostics);
    }
}
