package io.ingressgateway.source;

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
import io.ingressgateway.tls.TlsSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared informers (list, then watch; no periodic resync) on Ingress, IngressClass, Service and EndpointSlice.
 *
 * <p>With an empty namespace list every namespace is watched through one informer per kind; otherwise there is one
 * informer per namespace and namespaced kind. IngressClass is cluster-scoped and always watched cluster-wide.
 * Secrets are watched only when of type {@code kubernetes.io/tls} (a field selector, so the API server never sends
 * any other Secret, and RBAC grants nothing more than reading Secrets).
 *
 * <p>The first snapshot is delivered once every informer has listed its kind; after that each change requests a
 * rebuild from the informer stores on the delivery thread (see {@link SnapshotDelivery}). A failing list or watch is
 * logged and retried with fabric8's back-off, per informer, so one failing kind never stops the others.
 */
public final class KubernetesClusterSource implements ClusterStateSource {

    private static final Logger log = LoggerFactory.getLogger(KubernetesClusterSource.class);

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final List<SharedIndexInformer<Ingress>> ingressInformers = new ArrayList<>();
    private final List<SharedIndexInformer<IngressClass>> ingressClassInformers = new ArrayList<>();
    private final List<SharedIndexInformer<Service>> serviceInformers = new ArrayList<>();
    private final List<SharedIndexInformer<EndpointSlice>> endpointSliceInformers = new ArrayList<>();
    private final List<SharedIndexInformer<Secret>> secretInformers = new ArrayList<>();
    private final List<SharedIndexInformer<?>> allInformers = new ArrayList<>();
    private final SnapshotDelivery delivery = new SnapshotDelivery("ingress-gateway-kubernetes-source");
    private volatile boolean closed;

    public KubernetesClusterSource(KubernetesClient client, List<String> namespaces) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespaces = namespaces.stream().map(String::trim).filter(ns -> !ns.isEmpty()).distinct().toList();
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

        ingressInformers.addAll(namespaced("Ingress", client.network().v1().ingresses()));
        ingressClassInformers.add(informer("IngressClass", "cluster", client.network().v1().ingressClasses()));
        serviceInformers.addAll(namespaced("Service", client.services()));
        endpointSliceInformers.addAll(namespaced("EndpointSlice", client.discovery().v1().endpointSlices()));
        secretInformers.addAll(tlsSecrets());

        // Each start() lists and then watches asynchronously; the stage completes once the list is in the store.
        CompletableFuture<?>[] listed = allInformers.stream()
                .map(informer -> informer.start().toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        log.info("Watching Ingress, IngressClass, Service, EndpointSlice and TLS Secret in {} ({} informers)",
                namespaces.isEmpty() ? "all namespaces" : "namespaces " + namespaces, allInformers.size());
        CompletableFuture.allOf(listed).whenComplete((ignored, failure) -> {
            if (failure != null) {
                // Only reachable when closing: the exception handler below retries every other failure.
                log.debug("Informers did not sync", failure);
                return;
            }
            log.info("Initial list complete: {} objects", allInformers.stream()
                    .mapToInt(informer -> informer.getStore().list().size()).sum());
            delivery.open();
        });
    }

    private <T extends HasMetadata> List<SharedIndexInformer<T>> namespaced(String kind,
                                                                          MixedOperation<T, ?, ?> operation) {
        if (namespaces.isEmpty()) {
            return List.of(informer(kind, "all namespaces", operation.inAnyNamespace()));
        }
        return namespaces.stream()
                .map(ns -> informer(kind, "namespace " + ns, operation.inNamespace(ns)))
                .toList();
    }

    private List<SharedIndexInformer<Secret>> tlsSecrets() {
        if (namespaces.isEmpty()) {
            return List.of(informer("Secret", "all namespaces",
                    client.secrets().inAnyNamespace().withField("type", TlsSecrets.TYPE)));
        }
        return namespaces.stream()
                .map(ns -> informer("Secret", "namespace " + ns,
                        client.secrets().inNamespace(ns).withField("type", TlsSecrets.TYPE)))
                .toList();
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(String kind, String scope,
                                                                  Informable<T> informable) {
        SharedIndexInformer<T> informer = informable.runnableInformer(0);
        informer.addEventHandler(new ChangeHandler<>());
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

    private ClusterSnapshot snapshot(long revision) {
        return new ClusterSnapshot(
                SnapshotDelivery.sorted(storesOf(ingressInformers)),
                SnapshotDelivery.sorted(storesOf(ingressClassInformers)),
                SnapshotDelivery.sorted(storesOf(serviceInformers)),
                SnapshotDelivery.sorted(storesOf(endpointSliceInformers)),
                // The field selector already keeps other Secrets out; filtering again costs nothing and holds even
                // against a server that ignores the selector.
                SnapshotDelivery.sorted(storesOf(secretInformers).stream()
                        .filter(secret -> TlsSecrets.TYPE.equals(secret.getType()))
                        .toList()),
                revision);
    }

    private static <T> List<T> storesOf(List<SharedIndexInformer<T>> informers) {
        List<T> items = new ArrayList<>();
        for (SharedIndexInformer<T> informer : informers) {
            items.addAll(informer.getStore().list());
        }
        return items;
    }

    @Override
    public boolean synced() {
        return delivery.delivered();
    }

    @Override
    public String description() {
        return namespaces.isEmpty() ? "kubernetes" : "kubernetes:" + String.join(",", namespaces);
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
        for (SharedIndexInformer<?> informer : informers) {
            try {
                informer.stop();
            } catch (RuntimeException e) {
                log.warn("Stopping an informer failed", e);
            }
        }
        delivery.close();
    }

    /** Any add, update or delete asks for a rebuild; the informer has already applied it to its store. */
    private final class ChangeHandler<T extends HasMetadata> implements ResourceEventHandler<T> {

        @Override
        public void onAdd(T object) {
            delivery.requestDelivery();
        }

        @Override
        public void onUpdate(T previous, T current) {
            String before = previous.getMetadata().getResourceVersion();
            if (before == null || !before.equals(current.getMetadata().getResourceVersion())) {
                delivery.requestDelivery();
            }
        }

        @Override
        public void onDelete(T object, boolean finalStateUnknown) {
            delivery.requestDelivery();
        }
    }
}
