package io.ingressgateway.model;

import java.util.Comparator;

/** Names one Ingress object. */
public record IngressRef(String namespace, String name) implements Comparable<IngressRef> {

    private static final Comparator<IngressRef> ORDER =
            Comparator.comparing(IngressRef::namespace).thenComparing(IngressRef::name);

    @Override
    public int compareTo(IngressRef other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
