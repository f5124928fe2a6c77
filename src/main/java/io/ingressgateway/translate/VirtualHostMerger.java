package io.ingressgateway.translate;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges the rules every served Ingress has for one host pattern into its {@link VirtualHost}. Callers offer the
 * Ingresses of a host oldest first, so "first claim wins" is "oldest Ingress wins"; each claim is a hash lookup, so
 * merging a host is linear in its rules, and a change merges again only the hosts it touches.
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

    private VirtualHostMerger() {
    }

    static String routeId(HostMatch host, PathMatch path) {
        return host + "|" + path.type() + "|" + path.path();
    }

    /**
     * The virtual host of merged routes ({@code holders}: each path with the route that holds it) and default. When
     * they equal those of {@code previous}, {@code previous} itself: not sorted again, and the same instance for
     * everything downstream that compares models.
     */
    static VirtualHost build(HostMatch host, Map<PathMatch, Route> holders, UpstreamKey defaultUpstreamKey,
                             VirtualHost previous) {
        if (previous != null && sameRoutes(previous, holders, defaultUpstreamKey)) {
            return previous;
        }
        List<Route> routes = new ArrayList<>(holders.values());
        routes.sort(PRECEDENCE);
        return new VirtualHost(host, routes, defaultUpstreamKey);
    }

    private static boolean sameRoutes(VirtualHost before, Map<PathMatch, Route> holders,
                                      UpstreamKey defaultUpstreamKey) {
        if (!Objects.equals(before.defaultUpstreamKey(), defaultUpstreamKey)
                || before.routes().size() != holders.size()) {
            return false;
        }
        for (Route route : before.routes()) {
            if (!route.equals(holders.get(route.path()))) {
                return false;
            }
        }
        return true;
    }
}
