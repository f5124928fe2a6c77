package io.ingressgateway.tls;

import io.ingressgateway.gateway.RouteTable;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers, per request, what HTTPS asks of it: whether an HTTP request is redirected (looked up exactly as the
 * gateway routes it, host first, then path, so the route that would serve it decides), and whether a host has TLS
 * (for HSTS). Rebuilt on every model and swapped atomically.
 *
 * <p>A rebuild reuses each unchanged virtual host's rules (the translator keeps an unchanged virtual host as the very
 * same instance) as long as the redirect decisions are the same sets as before, and a model with the same virtual
 * hosts and TLS (an endpoint change) rebuilds nothing: with 10,000 Ingresses, the table of every route was rebuilt
 * per change.
 */
public class TlsRedirects implements RouteModelListener {

    /**
     * @param anyRedirect whether any rule or host redirects at all: when none does, every lookup would answer false,
     *                    and the lookup (a second route match per request, in memory of the request's own rule that is
     *                    cold when requests are spread over thousands of rules) is skipped
     */
    private record State(RouteTable<Boolean> redirects, boolean anyRedirect, Set<String> exactTlsHosts,
                         Set<String> wildcardTlsSuffixes) {
    }

    /** What the state was built from, and the rules of each of its virtual hosts, by virtual host object. */
    private record Built(RouteModel model, Map<VirtualHost, RouteTable.HostRules<Boolean>> hostRules) {
    }

    private final AtomicReference<State> state = new AtomicReference<>();
    /** Only touched on the pipeline thread (and in the constructor). */
    private Built built;

    public TlsRedirects() {
        Map<VirtualHost, RouteTable.HostRules<Boolean>> hostRules = new IdentityHashMap<>();
        state.set(build(RouteModel.EMPTY, null, hostRules));
        built = new Built(RouteModel.EMPTY, hostRules);
    }

    @Override
    public void onModel(PipelineState pipelineState) {
        RouteModel model = pipelineState.model();
        RouteModel before = built.model();
        if (model.virtualHosts() == before.virtualHosts() && model.tls() == before.tls()) {
            return;
        }
        TlsModel tls = model.tls();
        boolean sameDecisions = tls.redirectRouteIds().equals(before.tls().redirectRouteIds())
                && tls.redirectHosts().equals(before.tls().redirectHosts());
        Map<VirtualHost, RouteTable.HostRules<Boolean>> hostRules = new IdentityHashMap<>();
        state.set(build(model, sameDecisions ? built.hostRules() : null, hostRules));
        built = new Built(model, hostRules);
    }

    /**
     * @param known rules of virtual hosts made under the same redirect decisions, by virtual host object, or null
     * @param made  filled with the rules of this model's virtual hosts
     */
    static State build(RouteModel model, Map<VirtualHost, RouteTable.HostRules<Boolean>> known,
                       Map<VirtualHost, RouteTable.HostRules<Boolean>> made) {
        RouteTable.Builder<Boolean> redirects = RouteTable.builder();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            RouteTable.HostRules<Boolean> rules = known == null ? null : known.get(virtualHost);
            if (rules == null) {
                rules = hostRules(virtualHost, model.tls());
            }
            made.put(virtualHost, rules);
            redirects.host(virtualHost.host(), rules);
        }
        for (HostMatch host : model.tls().redirectHosts()) {
            redirects.hostDefault(host, true); // no-op for hosts that are virtual hosts: the first default wins
        }
        redirects.defaultTarget(false);
        Set<String> exact = new HashSet<>();
        Set<String> wildcard = new HashSet<>();
        for (TlsHost host : model.tls().hosts()) {
            if (host.host().kind() == HostMatch.Kind.WILDCARD) {
                wildcard.add(host.host().wildcardSuffix());
            } else {
                exact.add(host.host().pattern());
            }
        }
        boolean anyRedirect = !model.tls().redirectRouteIds().isEmpty() || !model.tls().redirectHosts().isEmpty();
        return new State(redirects.build(), anyRedirect, Set.copyOf(exact), Set.copyOf(wildcard));
    }

    private static RouteTable.HostRules<Boolean> hostRules(VirtualHost virtualHost, TlsModel tls) {
        List<RouteTable.Rule<Boolean>> rules = new ArrayList<>(virtualHost.routes().size());
        for (Route route : virtualHost.routes()) {
            rules.add(new RouteTable.Rule<>(route.path(), tls.redirectRouteIds().contains(route.id())));
        }
        return new RouteTable.HostRules<>(rules, tls.redirectHosts().contains(virtualHost.host()));
    }

    /** Whether an HTTP request with this Host header and path goes to HTTPS instead. */
    public boolean redirects(String hostHeader, String rawPath) {
        State current = state.get();
        return current.anyRedirect() && Boolean.TRUE.equals(current.redirects().lookup(hostHeader, rawPath));
    }

    /** Whether a host (as a Host header: any case, maybe with a port) is one of the TLS hosts. */
    public boolean hasTls(String hostHeader) {
        State current = state.get();
        String host = RouteTable.normalizeHost(hostHeader);
        if (current.exactTlsHosts().contains(host)) {
            return true;
        }
        int dot = host.indexOf('.');
        return dot > 0 && current.wildcardTlsSuffixes().contains(host.substring(dot));
    }
}
