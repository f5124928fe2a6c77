package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared informers (list, then watch; no periodic resync) on Ingress, IngressClass, Service and EndpointSlice.
 *
 * <p>With an empty namespace list every namespace is watched through one informer per kind; otherwise there is one
 * informer per namespace and namespaced kind. IngressClass is cluster-scoped and always watched cluster-wide.
 * Secrets are watched when of type {@code kubernetes.io/tls} (a field selector, so the API server never sends
 * any other Secret, and RBAC grants nothing more than reading Secrets), and else only when an Ingress annotation
 * references them ({@code auth-secret}, {@code auth-tls-secret}, {@code proxy-ssl-secret}: any type); ConfigMaps only
 * when referenced ({@code custom-headers}). Each referenced object has an informer of its own, by name
 * ({@link ReferencedObjects}, which says why), in watched namespaces only ({@link AnnotationReferences}).
 *
 * <p>The first snapshot is delivered once every informer has listed its kind; after that each change updates its
 * kind's {@link SortedMirror} and requests a snapshot on the delivery thread (see {@link SnapshotDelivery}), which
 * copies the mirrors: no store is collected or sorted per change. A failing list or watch is
 * logged and retried with fabric8's back-off, per informer, so one failing kind never stops the others.
 */
public final class KubernetesClusterSource implements ClusterStateSource {

    private static final Logger log = LoggerFactory.getLogger(KubernetesClusterSource.class);

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<?>> allInformers = new ArrayList<>();
    private final SortedMirror<Ingress> ingresses = new SortedMirror<>();
    private final SortedMirror<IngressClass> ingressClasses = new SortedMirror<>();
    private final SortedMirror<Service> services = new SortedMirror<>();
    private final SortedMirror<EndpointSlice> endpointSlices = new SortedMirror<>();
    private final SortedMirror<Secret> secrets = new SortedMirror<>();
    private final ReferencedObjects<Secret> referencedSecrets;
    private final ReferencedObjects<ConfigMap> referencedConfigMaps;
    /** Seeds the mirrors from the informers' stores once their initial lists are in. */
    private final List<Runnable> seeds = new ArrayList<>();
    private final SnapshotDelivery delivery = new SnapshotDelivery("ingress-gateway-kubernetes-source");
    private volatile boolean closed;

    public KubernetesClusterSource(KubernetesClient client, List<String> namespaces) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespaces = namespaces.stream().map(String::trim).filter(ns -> !ns.isEmpty()).distinct().toList();
        this.referencedSecrets = new ReferencedObjects<>("Secret", AnnotationReferences::secrets,
                (ns, name) -> client.secrets().inNamespace(ns).withName(name), this::watched,
                delivery::requestDelivery);
        this.referencedConfigMaps = new ReferencedObjects<>("ConfigMap", AnnotationReferences::configMaps,
                (ns, name) -> client.configMaps().inNamespace(ns).withName(name), this::watched,
                delivery::requestDelivery);
    }

    private boolean watched(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }

    @Override
    public synchronized void start(Consumer<ClusterSnapshot> listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("Source is closed");
        }
        if (!allInformers.isEmpty()) {
            throw new IllegalStateException("Source already started");
        }
        delivery.start(this::snapshot, listener);

        // Each informer registers itself in allInformers, with a handler that keeps its kind's mirror current.
        namespaced("Ingress", client.network().v1().ingresses(), ingresses);
        informer("IngressClass", "cluster", client.network().v1().ingressClasses(), ingressClasses);
        namespaced("Service", client.services(), services);
        namespaced("EndpointSlice", client.discovery().v1().endpointSlices(), endpointSlices);
        tlsSecrets();

        // Each start() lists and then watches asynchronously; the stage completes once the list is in the store.
        CompletableFuture<?>[] listed = allInformers.stream()
                .map(informer -> informer.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        log.info("Watching Ingress, IngressClass, Service, EndpointSlice, TLS Secret and referenced Secret and"
                        + " ConfigMap in {} ({} informers, and one per referenced object)",
                namespaces.isEmpty() ? "all namespaces" : "namespaces " + namespaces, allInformers.size());
        CompletableFuture.allOf(listed).whenComplete((ignored, failure) -> {
            if (failure != null) {
                // Only reachable when closing: the exception handler below retries every other failure.
                log.debug("Informers did not sync", failure);
                return;
            }
            seeds.forEach(Runnable::run);
            // The Ingress handlers have started informers for what the listed Ingresses reference; this makes sure
            // of every one, and the first snapshot waits for their lists, so it never lacks a referenced object.
            for (Ingress ingress : ingresses.list()) {
                String key = key(ingress);
                referencedSecrets.ingressChanged(key, ingress);
                referencedConfigMaps.ingressChanged(key, ingress);
            }
            CompletableFuture.allOf(referencedSecrets.listedNow(), referencedConfigMaps.listedNow())
                    .whenComplete((ignoredToo, referencedFailure) -> {
                        if (referencedFailure != null) {
                            log.debug("Referenced objects did not sync", referencedFailure);
                            return;
                        }
                        log.info("Initial list complete: {} objects, {} referenced Secrets and ConfigMaps",
                                allInformers.stream().mapToInt(informer -> informer.getStore().list().size()).sum(),
                                referencedSecrets.watched() + referencedConfigMaps.watched());
                        delivery.open();
                    });
        });
    }

    private <T extends HasMetadata> List<SharedIndexInformer<T>> namespaced(String kind,
                                                                          MixedOperation<T, ?, ?> operation,
                                                                          SortedMirror<T> mirror) {
        if (namespaces.isEmpty()) {
            return List.of(informer(kind, "all namespaces", operation.inAnyNamespace(), mirror));
        }
        return namespaces.stream()
                .map(ns -> informer(kind, "namespace " + ns, operation.inNamespace(ns), mirror))
                .toList();
    }

    private List<SharedIndexInformer<Secret>> tlsSecrets() {
        if (namespaces.isEmpty()) {
            return List.of(informer("Secret", "all namespaces",
                    client.secrets().inAnyNamespace().withField("type", ClusterSnapshot.TLS_SECRET_TYPE), secrets));
        }
        return namespaces.stream()
                .map(ns -> informer("Secret", "namespace " + ns,
                        client.secrets().inNamespace(ns).withField("type", ClusterSnapshot.TLS_SECRET_TYPE), secrets))
                .toList();
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(String kind, String scope,
                                                                  Informable<T> informable, SortedMirror<T> mirror) {
        SharedIndexInformer<T> informer = informable.runnableInformer(0);
        informer.addEventHandler(new ChangeHandler<>(informer, mirror));
        seeds.add(() -> mirror.seed(informer.getStore()));
        informer.exceptionHandler((started, failure) -> {
            if (closed) {
                return false;
            }
            // Retry like client-go's reflector: a missing RBAC rule or an API server restart heals without us.
            log.warn("{} {} in {} failed, retrying: {}", started ? "Watching" : "Listing", kind, scope,
                    failure.toString());
            return true;
        });
        allInformers.add(informer);
        return informer;
    }

    private static String key(HasMetadata object) {
        return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
    }

    /** The mirrors are ordered already: building a snapshot copies the lists, it sorts nothing. */
    private ClusterSnapshot snapshot(long revision) {
        // The field selector already keeps other Secrets out; filtering again costs nothing and holds even
        // against a server that ignores the selector.
        List<Secret> tlsSecrets = secrets.list().stream()
                .filter(secret -> ClusterSnapshot.TLS_SECRET_TYPE.equals(secret.getType()))
                .toList();
        return new ClusterSnapshot(
                ingresses.list(),
                ingressClasses.list(),
                services.list(),
                endpointSlices.list(),
                referencedSecrets.isEmpty() ? tlsSecrets : merged(tlsSecrets, referencedSecrets.list()),
                referencedConfigMaps.list(),
                revision);
    }

    /** TLS Secrets and referenced ones (of any type, a TLS one maybe among them), once each, ordered. */
    private static List<Secret> merged(List<Secret> tls, List<Secret> referenced) {
        TreeMap<SortedMirror.ObjectKey, Secret> byKey = new TreeMap<>();
        tls.forEach(secret -> byKey.put(SortedMirror.ObjectKey.of(secret), secret));
        referenced.forEach(secret -> byKey.put(SortedMirror.ObjectKey.of(secret), secret));
        return List.copyOf(byKey.values());
    }

    @Override
    public boolean synced() {
        return delivery.delivered();
    }

    @Override
    public String description() {
        return namespaces.isEmpty() ? "kubernetes" : "kubernetes:" + String.join(",", namespaces);
    }

    /** Whether any informer still watches (after {@link #close()} none does, and nothing is delivered any more). */
    synchronized boolean watching() {
        return allInformers.stream().anyMatch(SharedIndexInformer::isRunning) || referencedSecrets.watching()
                || referencedConfigMaps.watching();
    }

    @Override
    public void close() {
        List<SharedIndexInformer<?>> informers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            informers = List.copyOf(allInformers);
        }
        referencedSecrets.close();
        referencedConfigMaps.close();
        for (SharedIndexInformer<?> informer : informers) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                log.warn("Stopping an informer failed", e);
            }
        }
        delivery.close();
    }

    /**
     * Any add, update or delete updates the kind's mirror from the informer's store (which already holds the change)
     * and asks for a rebuild.
     */
    private final class ChangeHandler<T extends HasMetadata> implements ResourceEventHandler<T> {

        private final SharedIndexInformer<T> informer;
        private final SortedMirror<T> mirror;

        ChangeHandler(SharedIndexInformer<T> informer, SortedMirror<T> mirror) {
            this.informer = informer;
            this.mirror = mirror;
        }

        @Override
        public void onAdd(T object) {
            changed(object);
        }

        @Override
        public void onUpdate(T previous, T current) {
            String before = previous.getMetadata().getResourceVersion();
            if (before == null || !before.equals(current.getMetadata().getResourceVersion())) {
                changed(current);
            }
        }

        @Override
        public void onDelete(T object, boolean finalStateUnknown) {
            changed(object);
        }

        private void changed(T object) {
            mirror.refresh(informer.getStore(), object);
            if (object instanceof Ingress named) {
                // What it references now (null: gone), read from the store like the mirror.
                Ingress current = (Ingress) informer.getStore().get(object);
                referencedSecrets.ingressChanged(key(named), current);
                referencedConfigMaps.ingressChanged(key(named), current);
            }
            delivery.requestDelivery();
        }
    }
}
