package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.gateway.route.CanarySelection;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.CanaryPolicy;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.ingressgateway.model.IdentityDiff;
import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every upstream guard, following the route model: the model introduces an (Ingress, upstream) pair, a changed
 * effective policy replaces its guard, and the pair leaving the model retires the guard with its meters. Runs before
 * the gateway's own listener, so a route is never served before its guard can be had.
 *
 * <p>A guard itself is made at the first request that needs it. A large cluster has as many pairs as Ingresses, most
 * of them idle at any moment; each guard costs a circuit-breaker window and a dozen meters, so idle guards would be
 * the largest part of the heap and of every Prometheus scrape. An idle pair costs only its slot.
 *
 * <p>A model is applied by difference: the translator keeps an unchanged virtual host as the very same instance in the
 * same order, so only the pairs of virtual hosts that are new or gone since the last model are looked at (each pair
 * counts the virtual hosts that need it), and a model with the same virtual hosts and default (an endpoint change)
 * costs nothing: a change costs in proportion to what changed, not to the number of Ingresses.
 *
 * <p>Requests look guards up without locks: the slots of the current model are in a concurrent map changed in place,
 * and the slots the latest model removed or replaced stay findable in a small map published before the change, so a
 * request matched to a route of the previous model, in the moment before the gateway swaps its routes, still finds
 * that model's guard.
 */
public class UpstreamGuards implements RouteModelListener {

    private static final Logger log = LoggerFactory.getLogger(UpstreamGuards.class);

    private final Resilience defaults;
    private final GuardPolicy defaultPolicy;
    private final MeterRegistry registry;
    private final GuardClients clients = new GuardClients();
    /** The slots of the current model. */
    private final Map<GuardKey, Slot> current = new ConcurrentHashMap<>();
    /** The slots the latest model removed or replaced, for requests matched to a route of the model before it. */
    private volatile Map<GuardKey, Slot> superseded = Map.of();
    /**
     * Replaced by a new object after every change to the slots or to {@link #superseded}, never before it: a cache of
     * {@link #guard} answers made while this was the same object is still right.
     */
    private volatile Object version = new Object();

    // Confined to the pipeline thread.
    /** The virtual hosts of the last model, with the pairs each needs (virtual hosts are distinct objects). */
    private final Map<VirtualHost, Map<GuardKey, GuardPolicy>> needsByHost = new IdentityHashMap<>();
    private List<VirtualHost> lastHosts = List.of();
    private UpstreamKey lastModelDefault;
    /** Per pair of the current model: how many virtual hosts (or the model default) need it. */
    private final Map<GuardKey, int[]> uses = new HashMap<>();

    /** One pair the model needs: its policy, and its guard once a request has asked for it. */
    private static final class Slot {
        private final GuardKey key;
        private final GuardPolicy policy;
        private final MeterRegistry registry;
        private final GuardClients clients;
        private volatile UpstreamGuard guard;
        private boolean retired;

        Slot(GuardKey key, GuardPolicy policy, MeterRegistry registry, GuardClients clients) {
            this.key = key;
            this.policy = policy;
            this.registry = registry;
            this.clients = clients;
        }

        UpstreamGuard guard() {
            UpstreamGuard existing = guard;
            return existing != null ? existing : create();
        }

        private synchronized UpstreamGuard create() {
            if (guard == null) {
                UpstreamGuard created = new UpstreamGuard(key, policy, registry, clients);
                if (retired) {
                    // A late request of a previous model: it is guarded, but its meters must not outlive the pair.
                    created.retire();
                }
                guard = created;
            }
            return guard;
        }

        synchronized void retire() {
            retired = true;
            if (guard != null) {
                guard.retire();
            }
        }
    }

    public UpstreamGuards(Resilience defaults, MeterRegistry registry) {
        this.defaults = defaults;
        this.defaultPolicy = GuardPolicy.resolve(UpstreamPolicy.DEFAULTS, defaults);
        this.registry = registry;
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.UPSTREAM_GUARDS;
    }

    @Override
    public void onModel(PipelineState state) {
        RouteModel model = state.model();
        if (model.virtualHosts() == lastHosts && Objects.equals(model.defaultUpstreamKey(), lastModelDefault)) {
            // Nothing a guard depends on changed. The model before the previous one is out of reach now.
            if (!superseded.isEmpty()) {
                superseded = Map.of();
                version = new Object();
            }
            return;
        }
        IdentityDiff diff = IdentityDiff.between(lastHosts, model.virtualHosts());
        List<VirtualHost> before = diff.middle(lastHosts);
        List<VirtualHost> after = diff.middle(model.virtualHosts());
        // Everything is worked out before anything is changed, so a failure leaves the last model applied as it was.
        Map<VirtualHost, Map<GuardKey, GuardPolicy>> arriving = new IdentityHashMap<>();
        for (VirtualHost virtualHost : after) {
            if (!needsByHost.containsKey(virtualHost) && !arriving.containsKey(virtualHost)) {
                arriving.put(virtualHost, needs(virtualHost));
            }
        }
        List<Map<GuardKey, GuardPolicy>> gone = new ArrayList<>();
        if (!before.isEmpty()) {
            Set<VirtualHost> staying = Collections.newSetFromMap(new IdentityHashMap<>(after.size()));
            staying.addAll(after);
            for (VirtualHost virtualHost : before) {
                Map<GuardKey, GuardPolicy> needs = staying.contains(virtualHost) ? null
                        : needsByHost.remove(virtualHost);
                if (needs != null) {
                    gone.add(needs);
                }
            }
        }
        needsByHost.putAll(arriving);
        List<Map<GuardKey, GuardPolicy>> added = new ArrayList<>(arriving.values());
        if (!Objects.equals(model.defaultUpstreamKey(), lastModelDefault)) {
            if (lastModelDefault != null) {
                gone.add(Map.of(GuardKey.ofDefault(lastModelDefault), defaultPolicy));
            }
            if (model.defaultUpstreamKey() != null) {
                added.add(Map.of(GuardKey.ofDefault(model.defaultUpstreamKey()), defaultPolicy));
            }
        }
        lastHosts = model.virtualHosts();
        lastModelDefault = model.defaultUpstreamKey();
        apply(model, gone, added);
    }

    /** Counts the pairs of the virtual hosts gone and added, then changes the slots of the pairs whose need changed. */
    private void apply(RouteModel model, List<Map<GuardKey, GuardPolicy>> gone,
                       List<Map<GuardKey, GuardPolicy>> added) {
        Set<GuardKey> touched = new LinkedHashSet<>();
        for (Map<GuardKey, GuardPolicy> needs : gone) {
            for (GuardKey key : needs.keySet()) {
                int[] count = uses.get(key);
                if (count != null && --count[0] == 0) {
                    uses.remove(key);
                }
                touched.add(key);
            }
        }
        // The policy an added virtual host asks for; every route of one Ingress carries the same one (annotations are
        // per Ingress), so a pair's policy changes in every virtual host of the Ingress in the same model.
        Map<GuardKey, GuardPolicy> asked = new HashMap<>();
        for (Map<GuardKey, GuardPolicy> needs : added) {
            for (Map.Entry<GuardKey, GuardPolicy> need : needs.entrySet()) {
                uses.computeIfAbsent(need.getKey(), k -> new int[1])[0]++;
                asked.putIfAbsent(need.getKey(), need.getValue());
                touched.add(need.getKey());
            }
        }
        Map<GuardKey, Slot> leaving = new HashMap<>();
        Map<GuardKey, Slot> arriving = new HashMap<>();
        int created = 0;
        int replaced = 0;
        int retired = 0;
        for (GuardKey key : touched) {
            Slot existing = current.get(key);
            if (!uses.containsKey(key)) {
                if (existing != null) {
                    leaving.put(key, existing);
                    retired++;
                }
                continue;
            }
            GuardPolicy policy = asked.get(key);
            if (policy == null || (existing != null && existing.policy.equals(policy))) {
                continue; // still needed, as it was
            }
            if (existing != null) {
                leaving.put(key, existing);
                replaced++;
            } else {
                created++;
            }
            arriving.put(key, new Slot(key, policy, registry, clients));
        }
        // Published first: a request of the previous model finds what leaves, before and after it has left.
        superseded = leaving.isEmpty() ? Map.of() : Map.copyOf(leaving);
        for (Map.Entry<GuardKey, Slot> entry : leaving.entrySet()) {
            // Its meters carry the same names and tags as a replacement's: they go before the new guard registers.
            entry.getValue().retire();
            if (!arriving.containsKey(entry.getKey())) {
                current.remove(entry.getKey());
            }
        }
        current.putAll(arriving);
        version = new Object();
        if (created + replaced + retired > 0) {
            log.info("Upstream guards for model revision {}: {} added, {} replaced, {} retired, {} in total",
                    model.revision(), created, replaced, retired, current.size());
        }
    }

    /** The effective policy of every pair one virtual host needs. */
    private Map<GuardKey, GuardPolicy> needs(VirtualHost virtualHost) {
        Map<GuardKey, GuardPolicy> needs = new HashMap<>();
        for (Route route : virtualHost.routes()) {
            // Every route of one Ingress carries the same policy (annotations are per Ingress).
            needs.computeIfAbsent(new GuardKey(route.ingress(), route.upstreamKey()), key -> GuardPolicy.resolve(
                    route.policies().getOrDefault(UpstreamPolicy.class, UpstreamPolicy.DEFAULTS), defaults));
            CanaryPolicy canary = route.policies().get(CanaryPolicy.class);
            if (canary != null) {
                // The canary Ingress's own guard, with the main route's settings: a canary inherits them.
                needs.computeIfAbsent(new GuardKey(CanarySelection.ingress(canary), CanarySelection.upstreamKey(canary)),
                        key -> GuardPolicy.resolve(route.policies().getOrDefault(UpstreamPolicy.class,
                                UpstreamPolicy.DEFAULTS), defaults));
            }
        }
        if (virtualHost.defaultUpstreamKey() != null) {
            needs.putIfAbsent(GuardKey.ofDefault(virtualHost.defaultUpstreamKey()), defaultPolicy);
        }
        return needs;
    }

    /**
     * The guard for a key, made now if no request needed it before: this model's, else the previous model's, else
     * null when neither model knows the key.
     */
    public UpstreamGuard guard(GuardKey key) {
        Slot slot = slot(key);
        return slot == null ? null : slot.guard();
    }

    /** The guard for a key if a request already made it; never makes one (for read-only views). */
    public UpstreamGuard existingGuard(GuardKey key) {
        Slot slot = slot(key);
        return slot == null ? null : slot.guard;
    }

    /** The effective policy of a key of the current or previous model, whether or not its guard exists yet. */
    public GuardPolicy policy(GuardKey key) {
        Slot slot = slot(key);
        return slot == null ? null : slot.policy;
    }

    /**
     * Changes (to a new object) whenever the keys or their guards may resolve differently: a cache of {@link #guard}
     * answers is valid while this stays the same object.
     */
    Object generationToken() {
        return version;
    }

    private Slot slot(GuardKey key) {
        Slot slot = current.get(key);
        return slot != null ? slot : superseded.get(key);
    }

    /** The keys of the current model with their effective policies. */
    public Map<GuardKey, GuardPolicy> policies() {
        Map<GuardKey, GuardPolicy> policies = new HashMap<>();
        current.forEach((key, slot) -> policies.put(key, slot.policy));
        return policies;
    }

    /** The guards of the current model that requests have made so far. */
    public Map<GuardKey, UpstreamGuard> activeGuards() {
        Map<GuardKey, UpstreamGuard> active = new HashMap<>();
        current.forEach((key, slot) -> {
            UpstreamGuard guard = slot.guard;
            if (guard != null) {
                active.put(key, guard);
            }
        });
        return active;
    }

    Resilience defaults() {
        return defaults;
    }
}
