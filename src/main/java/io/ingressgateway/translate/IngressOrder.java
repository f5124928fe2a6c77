package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.IngressRef;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Names and age of Kubernetes objects, null-safe. Age decides every conflict between Ingresses: the oldest
 * {@code metadata.creationTimestamp} wins, an Ingress without a (parseable) timestamp counts as younger than any that
 * has one, and namespace/name breaks ties so the outcome never depends on list order
 * ({@link TranslationState.Age}).
 */
final class IngressOrder {

    /**
     * The order conflicts are settled in: oldest creation time first (none counts as youngest), then
     * namespace/name.
     */
    record Age(Instant createdAt, IngressRef ref) implements Comparable<Age> {

        @Override
        public int compareTo(Age other) {
            if (createdAt != null && other.createdAt != null) {
                int byTime = createdAt.compareTo(other.createdAt);
                if (byTime != 0) {
                    return byTime;
                }
            } else if (createdAt != null || other.createdAt != null) {
                return createdAt == null ? 1 : -1;
            }
            return ref.compareTo(other.ref);
        }
    }

    /** Objects without a namespace (manifests applied without {@code -n}) live where kubectl would put them. */
    static final String DEFAULT_NAMESPACE = "default";

    private IngressOrder() {
    }

    static String namespace(HasMetadata object) {
        ObjectMeta meta = object.getMetadata();
        String namespace = meta == null ? null : meta.getNamespace();
        return namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
    }

    static String name(HasMetadata object) {
        ObjectMeta meta = object.getMetadata();
        return meta == null || meta.getName() == null ? "" : meta.getName();
    }

    static IngressRef ref(Ingress ingress) {
        return new IngressRef(namespace(ingress), name(ingress));
    }

    /** The creation time, or null when missing or not RFC 3339. */
    static Instant createdAt(Ingress ingress) {
        ObjectMeta meta = ingress.getMetadata();
        String timestamp = meta == null ? null : meta.getCreationTimestamp();
        if (timestamp == null || timestamp.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp.trim()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
