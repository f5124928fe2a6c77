package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects of one kind (Secrets, ConfigMaps) that Ingress annotations reference, and only those: one informer per
 * referenced {@code namespace/name} (a list and a watch with the field selector {@code metadata.name=<name>}), started
 * when the first Ingress names the object and stopped when the last one stops naming it.
 *
 * <p>Why one watch per name rather than one informer over the kind that drops the data of unreferenced objects: with
 * the latter the API server would still send every Secret of every watched namespace, data included (application
 * credentials, Helm release Secrets of hundreds of kilobytes each), to be decoded and thrown away, on every change; an
 * edge proxy should not even receive them. A watch per referenced name costs one idle watch each on the API server
 * (served from its watch cache), few in practice (a basic auth Secret is usually shared by an application's
 * Ingresses), and has no race to close: an object named before it exists arrives by its watch when created, and a new
 * reference lists its object at once, without a separate GET racing the watch.
 *
 * <p>Thread-safe: Ingress events arrive on the informers' threads, object events on each object's informer's thread.
 */
final class ReferencedObjects<T extends HasMetadata> {

    private static final Logger log = LoggerFactory.getLogger(ReferencedObjects.class);

    private final String kind;
    private final Function<Ingress, Set<String>> referencesOf;
    private final BiFunction<String, String, Informable<T>> byName;
    private final Predicate<String> watchedNamespace;
    private final Runnable changed;
    private final SortedMirror<T> mirror = new SortedMirror<>();
    /** What each Ingress ({@code namespace/name}) references now. */
    private final Map<String, Set<String>> byIngress = new HashMap<>();
    /** How many Ingresses reference each object. */
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, SharedIndexInformer<T>> informers = new HashMap<>();
    private final Map<String, CompletableFuture<?>> listed = new HashMap<>();
    private boolean closed;

    /**
     * @param referencesOf     the {@code namespace/name}s an Ingress references
     * @param byName           what to inform on for one object: namespace and name
     * @param watchedNamespace whether objects of a namespace may be read
     * @param changed          called after the objects changed (a snapshot is due)
     */
    ReferencedObjects(String kind, Function<Ingress, Set<String>> referencesOf,
                      BiFunction<String, String, Informable<T>> byName, Predicate<String> watchedNamespace,
                      Runnable changed) {
        this.kind = kind;
        this.referencesOf = referencesOf;
        this.byName = byName;
        this.watchedNamespace = watchedNamespace;
        this.changed = changed;
    }

    /** Takes what the Ingress {@code ingressKey} references now ({@code ingress} null: it is gone). */
    void ingressChanged(String ingressKey, Ingress ingress) {
        List<SharedIndexInformer<T>> stopping = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            Set<String> now = ingress == null ? Set.of() : readable(referencesOf.apply(ingress));
            Set<String> before = byIngress.getOrDefault(ingressKey, Set.of());
            if (now.equals(before)) {
                return;
            }
            if (now.isEmpty()) {
                byIngress.remove(ingressKey);
            } else {
                byIngress.put(ingressKey, now);
            }
            for (String name : now) {
                if (!before.contains(name) && counts.merge(name, 1, Integer::sum) == 1) {
                    watch(name);
                }
            }
            for (String name : before) {
                if (!now.contains(name) && counts.merge(name, -1, Integer::sum) == 0) {
                    counts.remove(name);
                    SharedIndexInformer<T> informer = unwatch(name);
                    if (informer != null) {
                        stopping.add(informer);
                    }
                }
            }
        }
        // Stopped outside the lock: an informer's handler thread may be waiting for it.
        stopping.forEach(ReferencedObjects::stopQuietly);
        if (!stopping.isEmpty()) {
            changed.run();
        }
    }

    /** Completes once every object referenced now has been listed (the initial snapshot waits for it). */
    synchronized CompletableFuture<Void> listedNow() {
        return CompletableFuture.allOf(listed.values().toArray(CompletableFuture[]::new));
    }

    /** The referenced objects that exist, ordered by namespace and name. */
    List<T> list() {
        return mirror.list();
    }

    boolean isEmpty() {
        return mirror.isEmpty();
    }

    /** How many objects are watched (one informer each). */
    synchronized int watched() {
        return informers.size();
    }

    synchronized boolean watching() {
        return informers.values().stream().anyMatch(SharedIndexInformer::isRunning);
    }

    void close() {
        List<SharedIndexInformer<T>> stopping;
        synchronized (this) {
            closed = true;
            stopping = new ArrayList<>(informers.values());
            informers.clear();
        }
        stopping.forEach(ReferencedObjects::stopQuietly);
    }

    private Set<String> readable(Set<String> names) {
        Set<String> kept = new HashSet<>();
        for (String name : names) {
            if (watchedNamespace.test(name.substring(0, name.indexOf('/')))) {
                kept.add(name);
            }
        }
        return kept;
    }

    private void watch(String name) {
        int slash = name.indexOf('/');
        String namespace = name.substring(0, slash);
        String objectName = name.substring(slash + 1);
        SharedIndexInformer<T> informer = byName.apply(namespace, objectName).runnableInformer(0);
        informer.addEventHandler(new Handler(name, informer));
        informer.exceptionHandler((started, failure) -> {
            synchronized (this) {
                if (closed || informers.get(name) != informer) {
                    return false;
                }
            }
            log.warn("{} referenced {} {} failed, retrying: {}", started ? "Watching" : "Listing", kind, name,
                    failure.toString());
            return true;
        });
        informers.put(name, informer);
        listed.put(name, informer.start().toCompletableFuture());
        log.debug("Watching referenced {} {}", kind, name);
    }

    /** Forgets the object; returns its informer, to be stopped by the caller outside the lock. */
    private SharedIndexInformer<T> unwatch(String name) {
        SharedIndexInformer<T> informer = informers.remove(name);
        listed.remove(name);
        int slash = name.indexOf('/');
        mirror.remove(new SortedMirror.ObjectKey(name.substring(0, slash), name.substring(slash + 1)));
        log.debug("No Ingress references {} {} any more; forgotten", kind, name);
        return informer;
    }

    private static void stopQuietly(SharedIndexInformer<?> informer) {
        try {
            informer.stop();
        } catch (RuntimeException e) {
            log.warn("Stopping an informer failed", e);
        }
    }

    /** Keeps the mirror equal to the object's informer, as long as that informer is the current one for the name. */
    private final class Handler implements ResourceEventHandler<T> {

        private final String name;
        private final SharedIndexInformer<T> informer;

        Handler(String name, SharedIndexInformer<T> informer) {
            this.name = name;
            this.informer = informer;
        }

        @Override
        public void onAdd(T object) {
            refresh(object);
        }

        @Override
        public void onUpdate(T previous, T current) {
            refresh(current);
        }

        @Override
        public void onDelete(T object, boolean finalStateUnknown) {
            refresh(object);
        }

        private void refresh(T object) {
            synchronized (ReferencedObjects.this) {
                // A late event of a stopped informer must not bring back an object no Ingress references.
                if (informers.get(name) != informer) {
                    return;
                }
                mirror.refresh(informer.getStore(), object);
            }
            changed.run();
        }
    }
}
