package io.ingressgateway.status;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.IdentityDiff;
import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.ingressgateway.source.ClusterSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code status.loadBalancer.ingress} of every served Ingress equal to the gateway's addresses, and reports
 * diagnostics as Events. Only the elected leader writes.
 *
 * <p>The pipeline thread only records the latest state; passes run on this writer's own thread, and states that
 * arrive while a pass is queued are coalesced into it. A status is written only when it differs from what the
 * snapshot shows, and not again while our own write has not come back through the watch yet, so our writes do not
 * feed on themselves. API failures are logged and the pass is repeated a little later; nothing is thrown at the
 * pipeline.
 */
public final class IngressStatusWriter implements RouteModelListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngressStatusWriter.class);
    static final Duration RETRY_DELAY = Duration.ofSeconds(5);

    /** A status we wrote over the given resource version, which the snapshot may not reflect yet. */
    private record Written(String resourceVersion, List<PublishAddress> addresses) {
    }

    private final KubernetesClient client;
    private final LeaderElection election;
    private final PublishAddressResolver addressResolver;
    private final DiagnosticEventEmitter events;
    private final ScheduledExecutorService executor;
    private final AtomicReference<PipelineState> latest = new AtomicReference<>();
    private final AtomicBoolean passQueued = new AtomicBoolean();
    private final AtomicLong passesDone = new AtomicLong();

    // Confined to the executor thread.
    private final Map<IngressRef, Written> written = new HashMap<>();
    /**
     * The Ingress objects whose status showed {@link #settledFor} at the last pass: the very same object (informer
     * snapshots keep unchanged objects) still does, without reading its status again, so a pass, which runs per
     * change, costs in proportion to the change rather than to every Ingress.
     */
    private Set<Ingress> settled = Collections.newSetFromMap(new IdentityHashMap<>());
    private List<PublishAddress> settledFor = List.of();
    private boolean retryScheduled;
    /** The list {@link #indexed} was made from, and the index; only touched on the writer's thread. */
    private List<Ingress> indexedList = List.of();
    private final Map<IngressRef, Ingress> indexed = new HashMap<>();
    private boolean warnedNoAddress;

    public IngressStatusWriter(KubernetesClient client, LeaderElection election,
                               PublishAddressResolver addressResolver) {
        this.client = client;
        this.election = election;
        this.addressResolver = addressResolver;
        this.events = new DiagnosticEventEmitter(client, election.identity());
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ingress-status-writer");
            thread.setDaemon(true);
            return thread;
        });
        election.addListener(this::leadershipChanged);
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.INGRESS_STATUS;
    }

    @Override
    public void onModel(PipelineState state) {
        latest.set(state);
        requestPass();
    }

    private void leadershipChanged(boolean leading) {
        if (leading) {
            log.info("Leading: writing Ingress status with addresses from {}", addressResolver.description());
            // A full pass: forget what an earlier term wrote, another leader may have changed it since.
            submit(() -> {
                written.clear();
                settled = Collections.newSetFromMap(new IdentityHashMap<>());
            });
            requestPass();
        }
    }

    private void requestPass() {
        if (passQueued.compareAndSet(false, true)) {
            submit(() -> {
                passQueued.set(false);
                pass();
            });
        }
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("Status writer closed; dropping work");
        }
    }

    private void pass() {
        try {
            passOnce();
        } finally {
            passesDone.incrementAndGet();
        }
    }

    /** Passes run so far, whether they wrote anything or not (a follower's write nothing). */
    long passesDone() {
        return passesDone.get();
    }

    private void passOnce() {
        PipelineState state = latest.get();
        if (state == null || !election.isLeader()) {
            return;
        }
        boolean complete;
        try {
            Map<IngressRef, Ingress> ingresses = index(state.snapshot().ingresses());
            complete = writeStatuses(state.snapshot(), state.model().ingresses(), ingresses);
            complete &= events.emit(state.model().ingresses(), ingresses, election::isLeader);
        } catch (RuntimeException e) {
            log.error("Ingress status pass over revision {} failed", state.model().revision(), e);
            complete = false;
        }
        if (!complete) {
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        if (retryScheduled) {
            return;
        }
        retryScheduled = true;
        try {
            executor.schedule(() -> {
                retryScheduled = false;
                requestPass();
            }, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retryScheduled = false;
        }
    }

    /** @return false when some status could not be written or no address is known yet */
    private boolean writeStatuses(ClusterSnapshot snapshot, List<IngressReport> reports, Map<IngressRef, Ingress> ingresses) {
        written.keySet().retainAll(ingresses.keySet());
        List<PublishAddress> addresses;
        try {
            addresses = addressResolver.resolve(snapshot);
        } catch (KubernetesClientException e) {
            log.warn("Could not read the gateway's Service ({}); Ingress status not written", e.getMessage());
            return false;
        }
        if (addresses.isEmpty()) {
            if (!warnedNoAddress) {
                log.warn("No address to publish from {}; Ingress status is not written until one is known",
                        addressResolver.description());
                warnedNoAddress = true;
            }
            return false;
        }
        warnedNoAddress = false;
        boolean sameAddresses = addresses.equals(settledFor);
        Set<Ingress> nowSettled = Collections.newSetFromMap(new IdentityHashMap<>(reports.size() * 4 / 3 + 1));
        try {
            boolean complete = true;
            for (IngressReport report : reports) {
                if (!report.served()) {
                    continue;
                }
                Ingress ingress = ingresses.get(report.ingress());
                if (ingress == null) {
                    continue;
                }
                if ((sameAddresses && settled.contains(ingress)) || addresses.equals(currentAddresses(ingress))) {
                    written.remove(report.ingress());
                    nowSettled.add(ingress);
                    continue;
                }
                String resourceVersion = ingress.getMetadata().getResourceVersion();
                Written pending = written.get(report.ingress());
                if (pending != null && pending.addresses().equals(addresses)
                        && Objects.equals(pending.resourceVersion(), resourceVersion)) {
                    continue;
                }
                if (!election.isLeader()) {
                    return true;
                }
                complete &= write(report.ingress(), ingress, addresses);
            }
            return complete;
        } finally {
            // Also after leaving early: objects not looked at are read again next time, which is only slower.
            settled = nowSettled;
            settledFor = addresses;
        }
    }

    private boolean write(IngressRef ref, Ingress ingress, List<PublishAddress> addresses) {
        List<IngressLoadBalancerIngress> points = addresses.stream().map(PublishAddress::toStatus).toList();
        // The snapshot's objects are shared with informer caches: change a copy.
        Ingress copy = new IngressBuilder(ingress)
                .editOrNewStatus()
                    .editOrNewLoadBalancer().withIngress(points).endLoadBalancer()
                .endStatus()
                .build();
        try {
            client.network().v1().ingresses().inNamespace(ref.namespace()).resource(copy).updateStatus();
            written.put(ref, new Written(ingress.getMetadata().getResourceVersion(), addresses));
            log.info("Ingress {} status set to {}", ref, addresses);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                log.debug("Ingress {} was deleted before its status was written", ref);
                return true;
            }
            log.warn("Could not write status of Ingress {} (HTTP {}: {}); retrying later", ref, e.getCode(),
                    e.getMessage());
            return false;
        }
    }

    private static List<PublishAddress> currentAddresses(Ingress ingress) {
        if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<PublishAddress> current = new ArrayList<>();
        for (IngressLoadBalancerIngress point : ingress.getStatus().getLoadBalancer().getIngress()) {
            if (point.getPorts() != null && !point.getPorts().isEmpty()) {
                // Ports are not ours to publish: an entry carrying them must be rewritten.
                return List.of();
            }
            current.add(new PublishAddress(point.getIp(), point.getHostname()));
        }
        return current.stream().sorted().toList();
    }

    /**
     * The snapshot's Ingresses by namespace/name. Kept from pass to pass and indexed again only between the common
     * start and end of the previous and the new list ({@link IdentityDiff}): a snapshot shares every unchanged object,
     * in the same order, with the one before, so only the changed ones are indexed again.
     */
    private Map<IngressRef, Ingress> index(List<Ingress> ingresses) {
        IdentityDiff diff = IdentityDiff.between(indexedList, ingresses);
        for (Ingress gone : diff.middle(indexedList)) {
            IngressRef ref = refOf(gone);
            if (ref != null) {
                indexed.remove(ref, gone);
            }
        }
        for (Ingress now : diff.middle(ingresses)) {
            IngressRef ref = refOf(now);
            if (ref != null) {
                indexed.put(ref, now);
            }
        }
        indexedList = ingresses;
        return Collections.unmodifiableMap(indexed);
    }

    private static IngressRef refOf(Ingress ingress) {
        return ingress.getMetadata() == null ? null
                : new IngressRef(ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
