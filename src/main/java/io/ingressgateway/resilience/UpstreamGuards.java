package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamPolicy;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;

/**
 * Every upstream guard, following the route model: the model introduces an (Ingress, upstream) pair, a changed
 * effective policy replaces its guard, and the pair leaving the model retires the guard with its meters. Runs before
 * the gateway's own listener, so a route is never served before its guard can be had.
 *
 * <p>A guard itself is made at the first request that needs it. A cluster with 10,000 Ingresses has 10,000 pairs, most
 * of them idle at any moment; each guard costs a circuit-breaker window and a dozen meters, which made idle guards
 * the largest part of the heap and of every Prometheus scrape. An idle pair costs only its slot.
 *
 * <p>Requests look guards up without locks (an immutable map swapped per model). A request matched to a route of
 * the previous model, in the moment before the gateway swaps its routes, still finds that model's guard.
 */
public class UpstreamGuards implements RouteModelListener, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamGuards.class);

    private final Resilience defaults;
    private final MeterRegistry registry;
    private volatile Generation generation = new Generation(Map.of(), Map.of());

    private record Generation(Map<GuardKey, Slot> current, Map<GuardKey, Slot> previous) {
    }

    /** One pair the model needs: its policy, and its guard once a request has asked for it. */
    private static final class Slot {
        private final GuardKey key;
        private final GuardPolicy policy;
        private final Upstream upstream;
        private final MeterRegistry registry;
        private volatile UpstreamGuard guard;
        private boolean retired;

        Slot(GuardKey key, GuardPolicy policy, Upstream upstream, MeterRegistry registry) {
            this.key = key;
            this.policy = policy;
            this.upstream = upstream;
            this.registry = registry;
        }

        UpstreamGuard guard() {
            UpstreamGuard existing = guard;
            return existing != null ? existing : create();
        }

        private synchronized UpstreamGuard create() {
            if (guard == null) {
                UpstreamGuard created = new UpstreamGuard(key, policy, upstream, registry);
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
        this.registry = registry;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public void onModel(PipelineState state) {
        RouteModel model = state.model();
        Map<GuardKey, GuardPolicy> wanted = wanted(model);
        Map<GuardKey, Slot> before = generation.current();
        Map<GuardKey, Slot> next = new HashMap<>();
        int created = 0;
        int replaced = 0;
        for (Map.Entry<GuardKey, GuardPolicy> entry : wanted.entrySet()) {
            Slot existing = before.get(entry.getKey());
            if (existing != null && existing.policy.equals(entry.getValue())) {
                next.put(entry.getKey(), existing);
                continue;
            }
            if (existing != null) {
                // Its meters carry the same names and tags: they go before the new guard registers its own.
                existing.retire();
                replaced++;
            } else {
                created++;
            }
            next.put(entry.getKey(), new Slot(entry.getKey(), entry.getValue(),
                    model.upstreams().get(entry.getKey().upstreamKey()), registry));
        }
        int retired = 0;
        for (Map.Entry<GuardKey, Slot> entry : before.entrySet()) {
            if (!next.containsKey(entry.getKey())) {
                entry.getValue().retire();
                retired++;
            }
        }
        generation = new Generation(Map.copyOf(next), before);
        if (created + replaced + retired > 0) {
            log.info("Upstream guards for model revision {}: {} added, {} replaced, {} retired, {} in total",
                    model.revision(), created, replaced, retired, next.size());
        }
    }

    /** The effective policy of every guard the model needs. */
    private Map<GuardKey, GuardPolicy> wanted(RouteModel model) {
        Map<GuardKey, GuardPolicy> wanted = new LinkedHashMap<>();
        GuardPolicy defaultPolicy = GuardPolicy.resolve(UpstreamPolicy.DEFAULTS, defaults);
        for (VirtualHost virtualHost : model.virtualHosts()) {
            for (Route route : virtualHost.routes()) {
                // Every route of one Ingress carries the same policy (annotations are per Ingress).
                wanted.putIfAbsent(new GuardKey(route.ingress(), route.upstreamKey()),
                        GuardPolicy.resolve(route.policy(), defaults));
            }
            if (virtualHost.defaultUpstreamKey() != null) {
                wanted.putIfAbsent(GuardKey.ofDefault(virtualHost.defaultUpstreamKey()), defaultPolicy);
            }
        }
        if (model.defaultUpstreamKey() != null) {
            wanted.putIfAbsent(GuardKey.ofDefault(model.defaultUpstreamKey()), defaultPolicy);
        }
        return wanted;
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
        return generation;
    }

    private Slot slot(GuardKey key) {
        Generation current = generation;
        Slot slot = current.current().get(key);
        return slot != null ? slot : current.previous().get(key);
    }

    /** The keys of the current model with their effective policies. */
    public Map<GuardKey, GuardPolicy> policies() {
        Map<GuardKey, GuardPolicy> policies = new HashMap<>();
        generation.current().forEach((key, slot) -> policies.put(key, slot.policy));
        return policies;
    }

    /** The guards of the current model that requests have made so far. */
    public Map<GuardKey, UpstreamGuard> activeGuards() {
        Map<GuardKey, UpstreamGuard> active = new HashMap<>();
        generation.current().forEach((key, slot) -> {
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
