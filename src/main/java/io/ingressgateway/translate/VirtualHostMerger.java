package io.ingressgateway.translate;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges the rules every served Ingress has for one host pattern into its {@link VirtualHost}. Callers offer the
 * Ingresses of a host oldest first, so "first claim wins" is "oldest Ingress wins"; each claim is a hash lookup, so
 * merging a host is linear in its rules, and a change merges again only the hosts it touches.
 */
final class VirtualHostMerger {

    /**
     * Longest path first; for the same length, EXACT before PREFIX before REGEX; the path text breaks any remaining tie
     * (for regular expressions the greater text first, as ingress-nginx sorts its locations: a host's regular
     * expressions are tried in this order and the first that matches wins).
     */
    static final Comparator<Route> PRECEDENCE = Comparator
            .comparingInt((Route r) -> r.path().path().length()).reversed()
            .thenComparing(r -> r.path().type())
            .thenComparing((a, b) -> a.path().type() == PathMatch.Type.REGEX
                    ? b.path().path().compareTo(a.path().path())
                    : a.path().path().compareTo(b.path().path()));

    /** Which of several paths that read as the same regular expression keeps it: one written as one, then Exact. */
    private static final Comparator<Route> REGEX_CLAIM = Comparator
            .comparingInt((Route r) -> r.path().type() == PathMatch.Type.REGEX ? 0
                    : r.path().type() == PathMatch.Type.EXACT ? 1 : 2)
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
        if (!anyRegex(holders)) {
            if (previous != null && sameRoutes(previous, holders, defaultUpstreamKey)) {
                return previous;
            }
            List<Route> routes = new ArrayList<>(holders.values());
            routes.sort(PRECEDENCE);
            return new VirtualHost(host, routes, defaultUpstreamKey);
        }
        // Several claims may hold one route here (see asServed).
        List<Route> routes = new ArrayList<>(new LinkedHashSet<>(holders.values()));
        routes.sort(PRECEDENCE);
        if (previous != null && Objects.equals(previous.defaultUpstreamKey(), defaultUpstreamKey)
                && previous.routes().equals(routes)) {
            return previous;
        }
        return new VirtualHost(host, routes, defaultUpstreamKey);
    }

    private static boolean anyRegex(Map<PathMatch, Route> holders) {
        for (Route route : holders.values()) {
            if (route.path().type() == PathMatch.Type.REGEX) {
                return true;
            }
        }
        return false;
    }

    /**
     * Each claimed path of a host with the route that serves it. Where no Ingress of the host turned regex on, the
     * holders themselves. Where one did, as ingress-nginx does, every path of the host is a case-insensitive regular
     * expression anchored at the start ({@code ~* "^<path>"}), whatever Ingress it comes from and whatever its type,
     * Exact included: each claim is then held by the route of its path as an expression. Claims whose paths read as
     * the same expression share the route of the first (one written as an expression, else an Exact one): the other
     * would never be reached. A path that does not compile as an expression keeps its own type.
     */
    static Map<PathMatch, Route> asServed(HostMatch host, Map<PathMatch, Route> holders) {
        if (!anyRegex(holders)) {
            return holders;
        }
        List<Route> claims = new ArrayList<>(holders.values());
        claims.sort(REGEX_CLAIM);
        Map<PathMatch, Route> byExpression = new HashMap<>();
        Map<PathMatch, Route> served = new HashMap<>();
        for (Route claim : claims) {
            PathMatch regex = asRegex(claim.path());
            if (regex == null) {
                served.put(claim.path(), claim);
                continue;
            }
            Route route = byExpression.computeIfAbsent(regex, r -> r.equals(claim.path()) ? claim
                    : new Route(routeId(host, r), host, r, claim.ingress(), claim.upstreamKey(), claim.policies()));
            served.put(claim.path(), route);
        }
        return served;
    }

    /** The path as a regular expression, or null when it does not compile as one. */
    private static PathMatch asRegex(PathMatch path) {
        if (path.type() == PathMatch.Type.REGEX) {
            return path;
        }
        return PathRules.regexProblem(path.path()) == null ? PathMatch.regex(path.path()) : null;
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
