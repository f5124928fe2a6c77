package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the bytes of one manifest file (YAML, possibly several {@code ---} documents, or JSON; {@code kind: List}
 * accepted) into the objects the gateway serves.
 *
 * <p>A file is accepted or rejected as a whole, like one {@code kubectl apply}: a syntax error, a document that is
 * not a Kubernetes object, or an object of ours without a name rejects the file. Objects of other kinds are skipped.
 * Namespaced objects without a namespace land in {@code default}, as {@code kubectl apply} would put them.
 */
public final class ManifestParser {

    private static final Logger log = LoggerFactory.getLogger(ManifestParser.class);

    static final String DEFAULT_NAMESPACE = "default";
    private static final Set<String> SERVED_KINDS = Set.of("Ingress", "IngressClass", "Service", "EndpointSlice",
            "Secret", "ConfigMap");

    /** Used on the source's worker thread only. */
    private final KubernetesSerialization serialization = new KubernetesSerialization();

    /** The served objects in the file, in document order. */
    public List<HasMetadata> parse(byte[] content) throws InvalidManifestException {
        Object parsed;
        try {
            parsed = serialization.unmarshal(new ByteArrayInputStream(content));
        } catch (RuntimeException e) {
            throw new InvalidManifestException(describe(e));
        }
        List<Object> documents = new ArrayList<>();
        flatten(parsed, documents);
        List<HasMetadata> served = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            Object document = documents.get(i);
            if (!(document instanceof HasMetadata object) || object.getKind() == null) {
                throw new InvalidManifestException("object " + (i + 1) + " is not a Kubernetes object (no apiVersion/kind)");
            }
            if (!isServed(object)) {
                if (SERVED_KINDS.contains(object.getKind())) {
                    log.warn("Skipping {} with apiVersion {}: only {} is supported", object.getKind(),
                            object.getApiVersion(), servedApiVersion(object.getKind()));
                } else {
                    log.debug("Skipping {} {}: not a kind the gateway uses", object.getApiVersion(),
                            object.getKind());
                }
                continue;
            }
            if (object.getMetadata() == null || isBlank(object.getMetadata().getName())) {
                throw new InvalidManifestException(object.getKind() + " (object " + (i + 1)
                        + ") has no metadata.name");
            }
            normalizeNamespace(object);
            served.add(object);
        }
        return served;
    }

    private static void flatten(Object parsed, List<Object> into) {
        if (parsed == null) {
            return; // empty file or comments only
        }
        if (parsed instanceof KubernetesResourceList<?> list) {
            list.getItems().forEach(item -> flatten(item, into));
        } else if (parsed instanceof Collection<?> documents) {
            documents.forEach(document -> flatten(document, into));
        } else {
            into.add(parsed);
        }
    }

    private static boolean isServed(HasMetadata object) {
        return object instanceof Ingress || object instanceof IngressClass || object instanceof Service
                || object instanceof EndpointSlice || object instanceof Secret || object instanceof ConfigMap;
    }

    private static String servedApiVersion(String kind) {
        return switch (kind) {
            case "Ingress", "IngressClass" -> "networking.k8s.io/v1";
            case "EndpointSlice" -> "discovery.k8s.io/v1";
            default -> "v1";
        };
    }

    private static void normalizeNamespace(HasMetadata object) {
        if (object instanceof IngressClass) {
            object.getMetadata().setNamespace(null); // cluster-scoped: the API server drops a namespace too
        } else if (isBlank(object.getMetadata().getNamespace())) {
            object.getMetadata().setNamespace(DEFAULT_NAMESPACE);
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** The innermost message, on one line: YAML errors carry line and column there. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").trim();
    }

    public static final class InvalidManifestException extends Exception {
        InvalidManifestException(String message) {
            super(message);
        }
    }
}
