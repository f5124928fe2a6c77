package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
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
 * Every upstream guard, following the route model: a guard is created when the model introduces its (Ingress,
 * upstream) pair, replaced when its effective policy changes, and retired with its meters when the pair leaves the
 * model. Runs before the gateway's own listener, so a route is never served before its guard exists.
 *
 * <p>Requests look guards up without locks (an immutable map swapped per model). A request matched to a route of
 * the previous model, in the moment before the gateway swaps its routes, still finds that model's guard.
 */
public class UpstreamGuards implements RouteModelListener, Ordered {

    private static final Logger log = LoggerFactory.getLogger(UpstreamGuards.class);

    private final Resilience defaults;
    private final MeterRegistry registry;
    private volatile Generation generation = new Generation(Map.of(), Map.of());

    private record Generation(Map<GuardKey, UpstreamGuard> current, Map<GuardKey, UpstreamGuard> previous) {
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
        Map<GuardKey, UpstreamGuard> before = generation.current();
        Map<GuardKey, UpstreamGuard> next = new HashMap<>();
        int created = 0;
        int replaced = 0;
        for (Map.Entry<GuardKey, GuardPolicy> entry : wanted.entrySet()) {
            UpstreamGuard existing = before.get(entry.getKey());
            if (existing != null && existing.policy().equals(entry.getValue())) {
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
            next.put(entry.getKey(), new UpstreamGuard(entry.getKey(), entry.getValue(),
                    model.upstreams().get(entry.getKey().upstreamKey()), registry));
        }
        int retired = 0;
        for (Map.Entry<GuardKey, UpstreamGuard> entry : before.entrySet()) {
            if (!next.containsKey(entry.getKey())) {
                entry.getValue().retire();
                retired++;
            }
        }
        generation = new Generation(Map.copyOf(next), before);
        if (created + replaced + retired > 0) {
            log.info("Upstream guards for model revision {}: {} created, {} replaced, {} retired, {} in total",
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

    /** The guard for a key: this model's, else the previous model's, else null. */
    public UpstreamGuard guard(GuardKey key) {
        Generation current = generation;
        UpstreamGuard guard = current.current().get(key);
        return guard != null ? guard : current.previous().get(key);
    }

    /** The guards of the current model. */
    public Map<GuardKey, UpstreamGuard> guards() {
        return generation.current();
    }

    Resilience defaults() {
        return defaults;
    }
}
