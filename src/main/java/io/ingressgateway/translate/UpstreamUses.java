package io.ingressgateway.translate;

import io.ingressgateway.model.Route;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.CanaryPolicy;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The upstreams a model refers to: how many virtual hosts (and the global default) use each (a route's canary
 * included), and each one resolved
 * against the current snapshot. Only upstreams whose use count went to or from zero are resolved again, unless the
 * endpoints changed; an upstream equal to the one it replaces is kept as that instance, so listeners comparing
 * upstreams by reference see no change. Mutable, owned by one {@link TranslationState}.
 */
final class UpstreamUses {

    private final Map<UpstreamKey, Integer> uses = new HashMap<>();
    private final Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
    /** Keys whose use count went to or from zero since the upstreams were last resolved. */
    private final Set<UpstreamKey> toResolve = new HashSet<>();
    private boolean changed;
    private Map<UpstreamKey, Upstream> published;

    void retain(VirtualHost virtualHost) {
        for (Route route : virtualHost.routes()) {
            retain(route.upstreamKey());
            UpstreamKey errorBackend = errorBackend(route);
            if (errorBackend != null) {
                retain(errorBackend);
            }
            CanaryPolicy canary = route.policies().get(CanaryPolicy.class);
            if (canary != null) {
                retain(CanaryAttachment.upstreamKey(canary));
            }
        }
        if (virtualHost.defaultUpstreamKey() != null) {
            retain(virtualHost.defaultUpstreamKey());
        }
    }

    void release(VirtualHost virtualHost) {
        for (Route route : virtualHost.routes()) {
            release(route.upstreamKey());
            UpstreamKey errorBackend = errorBackend(route);
            if (errorBackend != null) {
                release(errorBackend);
            }
            CanaryPolicy canary = route.policies().get(CanaryPolicy.class);
            if (canary != null) {
                release(CanaryAttachment.upstreamKey(canary));
            }
        }
        if (virtualHost.defaultUpstreamKey() != null) {
            release(virtualHost.defaultUpstreamKey());
        }
    }

    /**
     * The Service a route's {@code default-backend} annotation names: used by the route although no rule names it, so
     * the model holds its endpoints for the data plane to fall back on.
     */
    private static UpstreamKey errorBackend(Route route) {
        return UpstreamKey.defaultBackendOf(route.policies().get(ErrorPagePolicy.class));
    }

    void retain(UpstreamKey key) {
        if (uses.merge(key, 1, Integer::sum) == 1) {
            toResolve.add(key);
        }
    }

    void release(UpstreamKey key) {
        if (uses.merge(key, -1, Integer::sum) == 0) {
            uses.remove(key);
            toResolve.add(key);
        }
    }

    /**
     * Drops upstreams nothing uses any more and resolves new ones; with {@code endpointsChanged}, resolves every
     * upstream's endpoints again.
     *
     * @param previous the upstreams of an earlier state, whose instances are kept where equal; or null
     */
    void resolve(BackendResolver backends, UpstreamUses previous, boolean endpointsChanged) {
        Set<UpstreamKey> keys = endpointsChanged ? uses.keySet() : toResolve;
        for (UpstreamKey key : keys) {
            Upstream before = upstreams.get(key);
            if (!uses.containsKey(key)) {
                if (before != null) {
                    upstreams.remove(key);
                    changed = true;
                }
                continue;
            }
            if (before == null && previous != null) {
                before = previous.upstreams.get(key);
            }
            Upstream now = backends.upstream(key);
            Upstream kept = now.equals(before) ? before : now;
            if (upstreams.put(key, kept) != kept) {
                changed = true;
            }
        }
        for (UpstreamKey key : toResolve) {
            if (!uses.containsKey(key) && upstreams.remove(key) != null) {
                changed = true;
            }
        }
        toResolve.clear();
    }

    /** The upstreams as a model holds them: the instance of the last call, unless they changed since. */
    Map<UpstreamKey, Upstream> publish() {
        if (changed || published == null) {
            published = Map.copyOf(upstreams);
            changed = false;
        }
        return published;
    }
}
