package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CustomHeadersPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code custom-headers}: the name of a ConfigMap ({@code name} or {@code namespace/name}, in the Ingress's own
 * namespace, as ingress-nginx documents) whose entries are response headers, read into a {@link CustomHeadersPolicy}.
 * The ConfigMap's content is read afterwards by the translator ({@code CustomHeaderConfigMaps}). A value that is not a
 * ConfigMap name denies the route (503), as ingress-nginx does when it cannot use the ConfigMap.
 */
public final class CustomHeadersAnnotations implements AnnotationFamily<CustomHeadersPolicy> {

    public static final String CONFIG_MAP = "custom-headers";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(CONFIG_MAP);

    @Override
    public String name() {
        return "custom headers";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<CustomHeadersPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        if (!reader.isSet(CONFIG_MAP)) {
            return Parsed.nothing();
        }
        String name = reader.read(CONFIG_MAP, BasicAuthAnnotations::secretReference);
        CustomHeadersPolicy policy = new CustomHeadersPolicy(name == null ? reader.raw(CONFIG_MAP) : name, Map.of(),
                null);
        if (name == null) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(CONFIG_MAP)), "names no"
                    + " ConfigMap; every request of this Ingress is refused (503), as ingress-nginx denies it"));
            policy = policy.unusable(CONFIG_MAP + " cannot be read");
        }
        return new Parsed<>(policy, diagnostics);
    }
}
