package io.ingressgateway.translate;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.UpstreamPolicy;
import io.ingressgateway.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges the rules of every served Ingress into one {@link VirtualHost} per host pattern. Callers offer rules oldest
 * Ingress first, so "first claim wins" is "oldest Ingress wins"; each claim is a hash lookup, so merging is linear in
 * the number of rules.
 */
final class VirtualHostMerger {

    /** Longest path first; for the same path, EXACT before PREFIX; the path text breaks any remaining tie. */
    static final Comparator<Route> PRECEDENCE = Comparator
            .comparingInt((Route r) -> r.path().path().length()).reversed()
            .thenComparing(r -> r.path().type())
            .thenComparing(r -> r.path().path());

    /** Exact hosts, then wildcards, then the any-host one; alphabetical within each. */
    static final Comparator<HostMatch> HOST_ORDER = Comparator
            .comparing(HostMatch::kind)
            .thenComparing(HostMatch::pattern);

    private final Map<HostMatch, HostRoutes> hosts = new HashMap<>();

    private static final class HostRoutes {
        final Map<PathMatch, Route> routes = new HashMap<>();
        String defaultUpstreamKey;
    }

    static String routeId(HostMatch host, PathMatch path) {
        return host + "|" + path.type() + "|" + path.path();
    }

    /** Makes sure a virtual host exists for {@code host}, even when it ends up with no routes. */
    void addHost(HostMatch host) {
        hosts.computeIfAbsent(host, h -> new HostRoutes());
    }

    /**
     * Claims a path of a host for an Ingress, unless it is already held.
     *
     * @return null when the claim succeeded, else the route that already holds the path
     */
    Route claim(String routeId, HostMatch host, PathMatch path, IngressRef ingress, String upstreamKey,
                UpstreamPolicy policy) {
        HostRoutes routes = hosts.computeIfAbsent(host, h -> new HostRoutes());
        return routes.routes.putIfAbsent(path, new Route(routeId, host, path, ingress, upstreamKey, policy));
    }

    /** Sets the host's default upstream unless an (older) Ingress already set one. */
    void offerDefault(HostMatch host, String upstreamKey) {
        HostRoutes routes = hosts.computeIfAbsent(host, h -> new HostRoutes());
        if (routes.defaultUpstreamKey == null) {
            routes.defaultUpstreamKey = upstreamKey;
        }
    }

    /**
     * The virtual hosts, sorted. A host whose routes and default equal those of its entry in {@code previous} (the
     * virtual hosts of an earlier model, by host) is that entry itself: not sorted again, and the same instance for
     * everything downstream that compares models.
     */
    List<VirtualHost> build(Map<HostMatch, VirtualHost> previous) {
        List<VirtualHost> result = new ArrayList<>(hosts.size());
        hosts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(HOST_ORDER))
                .forEach(e -> {
                    VirtualHost before = previous.get(e.getKey());
                    if (before != null && sameRoutes(before, e.getValue())) {
                        result.add(before);
                        return;
                    }
                    List<Route> routes = new ArrayList<>(e.getValue().routes.values());
                    routes.sort(PRECEDENCE);
                    result.add(new VirtualHost(e.getKey(), routes, e.getValue().defaultUpstreamKey));
                });
        return result;
    }

    private static boolean sameRoutes(VirtualHost before, HostRoutes now) {
        if (!Objects.equals(before.defaultUpstreamKey(), now.defaultUpstreamKey)
                || before.routes().size() != now.routes.size()) {
            return false;
        }
        for (Route route : before.routes()) {
            if (!route.equals(now.routes.get(route.path()))) {
                return false;
            }
        }
        return true;
    }
}
