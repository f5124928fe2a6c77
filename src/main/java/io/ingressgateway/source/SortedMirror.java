package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The objects of one kind, kept ordered by namespace and name and equal to the stores of the informers watching that
 * kind. A snapshot then copies the list instead of collecting and sorting every store on every change.
 *
 * <p>Informers hand events to handlers asynchronously, after their store has changed, so an event may be older
 * than the store. The mirror therefore never trusts the object an event carries: it reads that object's key from the
 * store again, under a lock shared with {@link #seed}, and so always converges to the store.
 */
final class SortedMirror<T extends HasMetadata> {

    /** Orders like {@link SnapshotDelivery#BY_NAMESPACE_AND_NAME}. */
    record ObjectKey(String namespace, String name) implements Comparable<ObjectKey> {

        static ObjectKey of(HasMetadata object) {
            return object.getMetadata() == null ? new ObjectKey("", "")
                    : new ObjectKey(Objects.requireNonNullElse(object.getMetadata().getNamespace(), ""),
                            Objects.requireNonNullElse(object.getMetadata().getName(), ""));
        }

        @Override
        public int compareTo(ObjectKey other) {
            int byNamespace = namespace.compareTo(other.namespace);
            return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
        }
    }

    private final ConcurrentSkipListMap<ObjectKey, T> objects = new ConcurrentSkipListMap<>();

    /** Adds everything a store holds now (an informer's initial list). */
    synchronized void seed(Store<T> store) {
        for (T object : store.list()) {
            objects.put(ObjectKey.of(object), object);
        }
    }

    /** Makes the mirror agree with {@code store} about the object an event named. */
    synchronized void refresh(Store<T> store, T named) {
        T current = store.get(named);
        ObjectKey key = ObjectKey.of(named);
        if (current == null) {
            objects.remove(key);
        } else {
            objects.put(key, current);
        }
    }

    /** Forgets the object of that namespace and name (its informer was stopped). */
    synchronized void remove(ObjectKey key) {
        objects.remove(key);
    }

    /** Whether no object is mirrored. */
    boolean isEmpty() {
        return objects.isEmpty();
    }

    /** The objects now, ordered by namespace and name. */
    List<T> list() {
        return List.copyOf(objects.values());
    }
}
