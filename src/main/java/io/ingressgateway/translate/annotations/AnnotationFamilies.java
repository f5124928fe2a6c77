package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every annotation family the controller understands, in the order their diagnostics are reported. Adding a family is
 * adding it to {@link #ALL}: the translator reads every Ingress's annotations through this list and hands the
 * policies to its routes, and nothing else in the translator knows any family.
 */
public final class AnnotationFamilies {

    /** The registry. */
    public static final List<AnnotationFamily<?>> ALL = List.of(
            new UpstreamGuardAnnotations(),
            new TlsRedirectAnnotations(),
            new RedirectAnnotations(),
            new UpstreamVhostAnnotations(),
            new ServerAliasAnnotations(),
            new FromToWwwRedirectAnnotations());

    /** The deprecated annotation naming an Ingress's class, read by class selection rather than by a family. */
    public static final String LEGACY_CLASS = "kubernetes.io/ingress.class";

    /** Annotations read outside any family: which IngressClass an Ingress belongs to. */
    public static final Set<String> CLASS_SELECTION = Set.of(LEGACY_CLASS);

    /** What the families made of one Ingress's annotations. */
    public record Read(RoutePolicies policies, List<Diagnostic> diagnostics) {

        public static final Read NOTHING = new Read(RoutePolicies.NONE, List.of());

        public Read {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    private final List<AnnotationFamily<?>> families;

    public AnnotationFamilies(List<AnnotationFamily<?>> families) {
        this.families = List.copyOf(families);
    }

    /** The registry's families. */
    public static AnnotationFamilies standard() {
        return new AnnotationFamilies(ALL);
    }

    /**
     * Reads one Ingress's annotations with every family. A family sees only the annotations it declares and is not
     * asked at all when the Ingress has none of them; one that fails on some input it did not foresee is reported and
     * its defaults apply, so no family can keep the others, or the Ingress, from being served.
     */
    public Read read(Map<String, String> annotations) {
        if (annotations == null || annotations.isEmpty()) {
            return Read.NOTHING;
        }
        List<RoutePolicy> policies = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        for (AnnotationFamily<?> family : families) {
            Map<String, String> declared = declaredIn(annotations, family.annotations());
            if (declared.isEmpty()) {
                continue;
            }
            AnnotationFamily.Parsed<?> parsed;
            try {
                parsed = family.parse(declared);
            } catch (RuntimeException e) {
                diagnostics.add(Diagnostic.warning("metadata.annotations", "the " + family.name() + " annotations"
                        + " could not be read (" + e + "); their defaults apply"));
                continue;
            }
            if (parsed.policy() != null) {
                policies.add(parsed.policy());
            }
            diagnostics.addAll(parsed.diagnostics());
        }
        if (policies.isEmpty() && diagnostics.isEmpty()) {
            return Read.NOTHING;
        }
        return new Read(RoutePolicies.of(policies), diagnostics);
    }

    /** Every annotation key the controller reads: the families' and the class selection's. */
    public Set<String> understood() {
        Set<String> keys = new LinkedHashSet<>(CLASS_SELECTION);
        for (AnnotationFamily<?> family : families) {
            keys.addAll(family.annotations());
        }
        return keys;
    }

    private static Map<String, String> declaredIn(Map<String, String> annotations, Set<String> keys) {
        Map<String, String> declared = null;
        // Whichever is smaller is walked: most Ingresses carry a few annotations, a family declares a few keys.
        if (annotations.size() <= keys.size()) {
            for (Map.Entry<String, String> annotation : annotations.entrySet()) {
                if (annotation.getValue() != null && keys.contains(annotation.getKey())) {
                    declared = put(declared, annotation.getKey(), annotation.getValue());
                }
            }
        } else {
            for (String key : keys) {
                String value = annotations.get(key);
                if (value != null) {
                    declared = put(declared, key, value);
                }
            }
        }
        return declared == null ? Map.of() : declared;
    }

    private static Map<String, String> put(Map<String, String> map, String key, String value) {
        Map<String, String> target = map == null ? new HashMap<>() : map;
        target.put(key, value);
        return target;
    }
}
