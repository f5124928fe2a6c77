package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether an Ingress is ours, the way Kubernetes defines class membership:
 * <ol>
 *   <li>{@code spec.ingressClassName} set: ours exactly when it names an IngressClass whose {@code spec.controller} is
 *       our controller name. The legacy annotation is then ignored, as the API server documents.</li>
 *   <li>otherwise the deprecated annotation {@code kubernetes.io/ingress.class}, when present, must equal our class
 *       name. An annotation naming another class is a clear "not ours", so no default class applies.</li>
 *   <li>neither set: ours when one of our controller's IngressClasses is marked
 *       {@code ingressclass.kubernetes.io/is-default-class: "true"} (Ingresses created before a default class existed
 *       are adopted, as ingress-nginx does with its default class).</li>
 * </ol>
 * An empty {@code ingressClassName} or annotation counts as unset.
 */
final class IngressClassSelector {

    static final String LEGACY_CLASS_ANNOTATION = AnnotationFamilies.LEGACY_CLASS;
    static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    /** Whether an Ingress is ours, and why, in words for its report. */
    record Selection(boolean served, String reason) {
    }

    private final String ingressClass;
    private final String controllerName;
    private final Map<String, IngressClass> classesByName = new HashMap<>();
    private final String defaultClassName;

    IngressClassSelector(String ingressClass, String controllerName, List<IngressClass> classes) {
        this.ingressClass = ingressClass == null ? "" : ingressClass;
        this.controllerName = controllerName == null ? "" : controllerName;
        String defaultName = null;
        for (IngressClass cls : classes) {
            if (cls == null) {
                continue;
            }
            String name = IngressOrder.name(cls);
            classesByName.put(name, cls);
            if (isOurs(cls) && isDefault(cls) && (defaultName == null || name.compareTo(defaultName) < 0)) {
                defaultName = name;
            }
        }
        this.defaultClassName = defaultName;
    }

    Selection select(Ingress ingress) {
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className != null && !className.isEmpty()) {
            IngressClass cls = classesByName.get(className);
            if (cls == null) {
                return new Selection(false, "IngressClass '" + className + "' does not exist");
            }
            if (!isOurs(cls)) {
                return new Selection(false, "IngressClass '" + className + "' belongs to controller '"
                        + controllerOf(cls) + "'");
            }
            return new Selection(true, "IngressClass '" + className + "' of controller '" + controllerName + "'");
        }
        Map<String, String> annotations = ingress.getMetadata() == null ? null
                : ingress.getMetadata().getAnnotations();
        String annotated = annotations == null ? null : annotations.get(LEGACY_CLASS_ANNOTATION);
        if (annotated != null && !annotated.isEmpty()) {
            if (annotated.equals(ingressClass)) {
                return new Selection(true, "annotation " + LEGACY_CLASS_ANNOTATION + "='" + annotated + "'");
            }
            return new Selection(false, "annotation " + LEGACY_CLASS_ANNOTATION + "='" + annotated
                    + "' is not our class '" + ingressClass + "'");
        }
        if (defaultClassName != null) {
            return new Selection(true, "no class set; default IngressClass '" + defaultClassName + "'");
        }
        return new Selection(false, "no class set and controller '" + controllerName
                + "' has no default IngressClass");
    }

    private boolean isOurs(IngressClass cls) {
        return Objects.equals(controllerOf(cls), controllerName);
    }

    private static String controllerOf(IngressClass cls) {
        return cls.getSpec() == null ? null : cls.getSpec().getController();
    }

    private static boolean isDefault(IngressClass cls) {
        Map<String, String> annotations = cls.getMetadata() == null ? null : cls.getMetadata().getAnnotations();
        return annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION));
    }
}
