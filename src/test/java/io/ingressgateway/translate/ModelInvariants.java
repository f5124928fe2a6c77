package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What every route model must be, whatever the snapshot it was made from: what {@link RouteModel} and its parts
 * document, checked as a whole. Used by the translator's fuzz test; a violation throws {@link AssertionError} naming
 * the part.
 */
final class ModelInvariants {

    private ModelInvariants() {
    }

    static void check(RouteModel model, ClusterSnapshot snapshot) {
        require(model.revision() == snapshot.revision(), "revision %d, snapshot %d", model.revision(),
                snapshot.revision());
        Map<String, Route> routesById = virtualHosts(model);
        upstreams(model);
        reports(model, snapshot, routesById);
        tls(model);
    }

    /** Hosts distinct and in order; routes of their host, ids unique and as documented, in precedence order. */
    private static Map<String, Route> virtualHosts(RouteModel model) {
        Map<String, Route> routesById = new HashMap<>();
        VirtualHost previous = null;
        for (VirtualHost host : model.virtualHosts()) {
            HostMatch match = host.host();
            require(match.pattern().equals(match.pattern().toLowerCase(Locale.ROOT)), "host %s not lower case",
                    match);
            require(match.kind() == HostMatch.Kind.ANY || HostRules.parse(match.pattern()).problem() == null,
                    "host %s is not a valid Ingress host", match);
            if (previous != null) {
                require(VirtualHostMerger.HOST_ORDER.compare(previous.host(), match) < 0,
                        "virtual hosts out of order or repeated: %s then %s", previous.host(), match);
            }
            Route previousRoute = null;
            Set<PathMatch> paths = new HashSet<>();
            for (Route route : host.routes()) {
                require(route.host().equals(match), "route %s in virtual host %s", route.id(), match);
                require(route.id().equals(VirtualHostMerger.routeId(match, route.path())), "route id %s for %s %s",
                        route.id(), match, route.path());
                require(routesById.put(route.id(), route) == null, "route id %s twice", route.id());
                require(paths.add(route.path()), "path %s twice in %s", route.path(), match);
                validPath(route);
                require(route.upstreamKey() != null, "route %s has no upstream", route.id());
                if (previousRoute != null) {
                    require(VirtualHostMerger.PRECEDENCE.compare(previousRoute, route) < 0,
                            "routes out of precedence order: %s then %s", previousRoute.id(), route.id());
                }
                previousRoute = route;
            }
            previous = host;
        }
        return routesById;
    }

    private static void validPath(Route route) {
        String path = route.path().path();
        if (route.path().type() == PathMatch.Type.REGEX) {
            // A regular expression is kept as written: it need not look like a path, but it compiles.
            require(path.startsWith("/"), "route %s: path does not start with '/'", route.id());
            require(path.length() <= PathMatch.MAX_REGEX_LENGTH, "route %s: expression too long", route.id());
            route.path().regex();
            return;
        }
        require(path.startsWith("/"), "route %s: path does not start with '/'", route.id());
        require(route.path().type() == PathMatch.Type.EXACT || path.equals("/") || !path.endsWith("/"),
                "route %s: a prefix keeps no trailing slash", route.id());
        require(!path.contains("//") && !path.contains("/./") && !path.contains("/../") && !path.endsWith("/.")
                && !path.endsWith("/.."), "route %s: dot segments or empty segments in the path", route.id());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            require(!Character.isISOControl(c) && !Character.isWhitespace(c) && c != '?' && c != '#',
                    "route %s: the path holds %s", route.id(), (int) c);
        }
        // Every route matches the path it was made from, as the data plane compares it.
        require(route.path().matches(path), "route %s does not match its own path", route.id());
    }

    /** Exactly the upstreams something refers to, each under its own key. */
    private static void upstreams(RouteModel model) {
        Set<UpstreamKey> referenced = new LinkedHashSet<>();
        for (VirtualHost host : model.virtualHosts()) {
            host.routes().forEach(route -> {
                referenced.add(route.upstreamKey());
                // A default-backend annotation's Service is used by the route although no rule names it.
                ErrorPagePolicy errorPages = route.policies().get(ErrorPagePolicy.class);
                if (UpstreamKey.defaultBackendOf(errorPages) != null) {
                    referenced.add(UpstreamKey.defaultBackendOf(errorPages));
                }
            });
            if (host.defaultUpstreamKey() != null) {
                referenced.add(host.defaultUpstreamKey());
            }
        }
        if (model.defaultUpstreamKey() != null) {
            referenced.add(model.defaultUpstreamKey());
        }
        for (UpstreamKey key : referenced) {
            require(model.upstreams().containsKey(key), "upstream %s is referred to but not in the model", key);
        }
        require(referenced.containsAll(model.upstreams().keySet()), "upstreams nothing refers to: %s",
                model.upstreams().keySet());
        for (Map.Entry<UpstreamKey, Upstream> entry : model.upstreams().entrySet()) {
            Upstream upstream = entry.getValue();
            require(upstream.key().equals(entry.getKey()), "upstream under %s has key %s", entry.getKey(),
                    upstream.key());
            upstream.endpoints().forEach(endpoint -> require(endpoint.address() != null
                    && !endpoint.address().isEmpty(), "upstream %s has an endpoint without address", upstream.key()));
            if (!upstream.externalName()) {
                upstream.endpoints().forEach(endpoint -> require(endpoint.port() > 0 && endpoint.port() < 65536,
                        "upstream %s: endpoint port %d", upstream.key(), endpoint.port()));
            }
        }
    }

    /**
     * One report per distinct Ingress, sorted; routes and reports name each other; what went wrong is a warning (an
     * ERROR, or a message of the translator's last line of defence, means some input threw).
     */
    private static void reports(RouteModel model, ClusterSnapshot snapshot, Map<String, Route> routesById) {
        Set<IngressRef> distinct = new HashSet<>();
        for (Ingress ingress : snapshot.ingresses()) {
            distinct.add(IngressOrder.ref(ingress));
        }
        require(model.ingresses().size() == distinct.size(), "%d reports for %d Ingresses", model.ingresses().size(),
                distinct.size());
        IngressReport previous = null;
        Map<String, IngressRef> claimedRoutes = new HashMap<>();
        for (IngressReport report : model.ingresses()) {
            require(distinct.contains(report.ingress()), "report for unknown Ingress %s", report.ingress());
            if (previous != null) {
                require(previous.ingress().compareTo(report.ingress()) < 0, "reports out of order: %s then %s",
                        previous.ingress(), report.ingress());
            }
            previous = report;
            if (!report.served()) {
                require(report.diagnostics().isEmpty() && report.routeIds().isEmpty(),
                        "Ingress %s is not served but has diagnostics or routes", report.ingress());
            }
            for (Diagnostic diagnostic : report.diagnostics()) {
                require(diagnostic.severity() == Diagnostic.Severity.WARNING && diagnostic.field() != null
                        && diagnostic.message() != null, "Ingress %s: %s", report.ingress(), diagnostic);
                require(!caughtException(diagnostic), "Ingress %s: an exception was caught on the way: %s",
                        report.ingress(), diagnostic);
            }
            for (String id : report.routeIds()) {
                Route route = routesById.get(id);
                require(route != null, "Ingress %s lists route %s that is not in the model", report.ingress(), id);
                require(route.ingress().equals(report.ingress()), "route %s belongs to %s, listed by %s", id,
                        route.ingress(), report.ingress());
                require(claimedRoutes.put(id, report.ingress()) == null, "route %s listed twice", id);
            }
        }
        for (Route route : routesById.values()) {
            require(claimedRoutes.containsKey(route.id()), "route %s is listed by no report", route.id());
        }
    }

    /** TLS hosts distinct, each decided by a served Ingress; redirects only for hosts the model knows. */
    private static void tls(RouteModel model) {
        Set<IngressRef> served = new HashSet<>();
        model.ingresses().stream().filter(IngressReport::served).forEach(report -> served.add(report.ingress()));
        Set<HostMatch> tlsHosts = new HashSet<>();
        for (TlsHost host : model.tls().hosts()) {
            require(tlsHosts.add(host.host()), "TLS host %s twice", host.host());
            require(host.host().kind() != HostMatch.Kind.ANY, "TLS host without a name from %s", host.ingress());
            require(served.contains(host.ingress()), "TLS host %s decided by %s, which is not served", host.host(),
                    host.ingress());
            require((host.certificate() == null) == (host.fallbackReason() != null),
                    "TLS host %s: certificate and fallback reason disagree", host.host());
        }
        Set<HostMatch> known = new HashSet<>(tlsHosts);
        model.virtualHosts().forEach(host -> known.add(host.host()));
        for (HostMatch host : model.tls().redirectHosts()) {
            require(known.contains(host), "redirect for %s, which is neither a virtual host nor a TLS host", host);
        }
    }

    /** A diagnostic of one of the translator's last lines of defence, which catch what reading an object threw. */
    private static boolean caughtException(Diagnostic diagnostic) {
        String message = diagnostic.message();
        return diagnostic.field().equals("spec") && message.startsWith("Ingress could not be translated (")
                || diagnostic.field().equals("spec.tls") && message.startsWith("TLS settings could not be read (")
                || diagnostic.field().equals("metadata.annotations") && message.contains(" annotations could not be"
                        + " read (");
    }

    private static void require(boolean condition, String format, Object... arguments) {
        if (!condition) {
            throw new AssertionError(String.format(format, arguments));
        }
    }
}
