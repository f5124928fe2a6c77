package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every annotation family the controller understands, in the order their diagnostics are reported. Adding a family is
 * adding it to {@link #ALL}: the translator reads every Ingress's annotations through this list and hands the
 * policies to its routes, and nothing else in the translator knows any family.
 *
 * <p>Every other key under {@value AnnotationReader#NGINX_PREFIX} or {@value AnnotationReader#OUR_PREFIX} is
 * accounted for too ({@link #status}): a key is served exactly when a family declares it, and each one that is not is
 * a warning on its Ingress saying what the gateway does instead ({@link NginxAnnotationCatalog}). Snippets of nginx
 * configuration are never served: no family may declare one.
 */
public final class AnnotationFamilies {

    /** The registry. */
    public static final List<AnnotationFamily<?>> ALL = List.of(
            new UpstreamGuardAnnotations(),
            new TlsRedirectAnnotations(),
            new RewriteAnnotations(),
            new ProxyBodyAnnotations(),
            new RedirectAnnotations(),
            new UpstreamVhostAnnotations(),
            new ServerAliasAnnotations(),
            new FromToWwwRedirectAnnotations(),
            new BackendProtocolAnnotations(),
            new ProxySslAnnotations(),
            new ErrorPageAnnotations(),
            new ServiceUpstreamAnnotations(),
            new CanaryAnnotations(),
            new BalanceAnnotations(),
            new ClientCertificateAnnotations(),
            new CorsAnnotations(),
            new HeaderPolicyAnnotations(),
            new SourceRangeAnnotations(),
            new GlobalRateLimitAnnotations(),
            new ExternalAuthAnnotations(),
            new BasicAuthAnnotations(),
            new CustomHeadersAnnotations(),
            new RateLimitAnnotations());

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
    /** Every key some family declares: the served ones. */
    private final Set<String> served;

    /** @throws IllegalArgumentException when a family declares a snippet key, which must never be evaluated */
    public AnnotationFamilies(List<AnnotationFamily<?>> families) {
        this.families = List.copyOf(families);
        Set<String> keys = new LinkedHashSet<>();
        for (AnnotationFamily<?> family : this.families) {
            for (String key : family.annotations()) {
                if (AnnotationStatus.isSnippet(key)) {
                    throw new IllegalArgumentException("the " + family.name() + " annotations declare " + key
                            + ", a snippet of nginx configuration, which is never evaluated");
                }
                keys.add(key);
            }
        }
        // In the families' order: the fuzzer picks keys by index and must see the same list in every JVM.
        this.served = Collections.unmodifiableSet(keys);
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
        readFamilies(annotations, policies, diagnostics);
        reportUnserved(annotations, diagnostics);
        if (policies.isEmpty() && diagnostics.isEmpty()) {
            return Read.NOTHING;
        }
        return new Read(RoutePolicies.of(policies), diagnostics);
    }

    /**
     * What the gateway does with one annotation key: served, no effect, refused, unsupported or unknown; null for a
     * key under neither {@value AnnotationReader#NGINX_PREFIX} nor {@value AnnotationReader#OUR_PREFIX}, which is not
     * the gateway's to judge ({@code kubernetes.io/ingress.class}, other tools' annotations).
     */
    public AnnotationStatus status(String key) {
        return AnnotationStatus.of(key, served);
    }

    private void readFamilies(Map<String, String> annotations, List<RoutePolicy> policies,
                              List<Diagnostic> diagnostics) {
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
    }

    /** One warning per key under our prefixes that no family reads, in key order. */
    private void reportUnserved(Map<String, String> annotations, List<Diagnostic> diagnostics) {
        List<String> unserved = null;
        for (String key : annotations.keySet()) {
            if (key != null && AnnotationStatus.isOurs(key) && !served.contains(key)) {
                if (unserved == null) {
                    unserved = new ArrayList<>();
                }
                unserved.add(key);
            }
        }
        if (unserved == null) {
            return;
        }
        unserved.sort(null);
        for (String key : unserved) {
            diagnostics.add(status(key).diagnostic());
        }
    }

    /** Every annotation key the controller reads: the families' and the class selection's. */
    public Set<String> understood() {
        Set<String> keys = new LinkedHashSet<>(CLASS_SELECTION);
        keys.addAll(served);
        return keys;
    }

    /** The name of the family that declares {@code key}, or null when none does. */
    public String familyOf(String key) {
        for (AnnotationFamily<?> family : families) {
            if (family.annotations().contains(key)) {
                return family.name();
            }
        }
        return null;
    }

    /** Every key some family declares, whichever its prefix. */
    public Set<String> served() {
        return served;
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
