package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.IngressRef;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Names and age of Kubernetes objects, null-safe. Age decides every conflict between Ingresses: the oldest
 * {@code metadata.creationTimestamp} wins, an Ingress without a (parseable) timestamp counts as younger than any that
 * has one, and namespace/name breaks ties so the outcome never depends on list order.
 */
final class IngressOrder {

    /** Objects without a namespace (manifests applied without {@code -n}) live where kubectl would put them. */
    static final String DEFAULT_NAMESPACE = "default";

    static final Comparator<Ingress> OLDEST_FIRST = Comparator
            .comparing(IngressOrder::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(IngressOrder::ref);

    private IngressOrder() {
    }

    /** An Ingress with its sort key, computed once: parsing timestamps inside a comparator costs n log n parses. */
    private record Aged(Ingress ingress, Instant createdAt, IngressRef ref) {
    }

    private static final Comparator<Aged> AGED_OLDEST_FIRST = Comparator
            .comparing(Aged::createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(Aged::ref);

    /** The non-null Ingresses of {@code ingresses}, in {@link #OLDEST_FIRST} order. */
    static List<Ingress> oldestFirst(Collection<Ingress> ingresses) {
        return oldestFirst(ingresses, IngressOrder::createdAt);
    }

    /**
     * The non-null Ingresses of {@code ingresses}, in {@link #OLDEST_FIRST} order, with {@code createdAt} giving what
     * {@link #createdAt(Ingress)} would (remembered, say).
     */
    static List<Ingress> oldestFirst(Collection<Ingress> ingresses, Function<Ingress, Instant> createdAt) {
        List<Aged> aged = new ArrayList<>(ingresses.size());
        for (Ingress ingress : ingresses) {
            if (ingress != null) {
                aged.add(new Aged(ingress, createdAt.apply(ingress), ref(ingress)));
            }
        }
        aged.sort(AGED_OLDEST_FIRST);
        List<Ingress> sorted = new ArrayList<>(aged.size());
        for (Aged a : aged) {
            sorted.add(a.ingress());
        }
        return sorted;
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
