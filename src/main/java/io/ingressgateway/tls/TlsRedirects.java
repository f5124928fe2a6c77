package io.ingressgateway.tls;

import io.ingressgateway.gateway.lookup.RouteTable;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.pipeline.ListenerStage;
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
 * What {@link HttpsRedirectFilter} asks of each request: whether an HTTP request is redirected, and whether a host has
 * TLS (for HSTS). Rebuilt on every model and swapped atomically.
 *
 * <p>A route's requests redirect as its {@link TlsRedirectPolicy} says, given whether its host has TLS (by its own
 * pattern or, for an exact host, a wildcard TLS host covering it); a request matching none of a host's routes
 * redirects when the model lists the host among its redirect hosts. A request the gateway matched to a rule of an
 * exact host is decided by that rule's policy, read from its served route; any other request is looked up exactly as
 * the gateway routes it, host first, then path, among the virtual hosts and the redirecting TLS hosts without rules
 * (a more specific one of those may take a request that matched a wildcard or any-host rule).
 *
 * <p>A rebuild reuses each unchanged virtual host's rules (the translator keeps an unchanged virtual host as the very
 * same instance) as long as the TLS hosts and redirect hosts are the same as before, and a model with the same
 * virtual hosts and TLS (an endpoint change) rebuilds nothing.
 */
public class TlsRedirects implements RouteModelListener {

    /**
     * @param anyRedirect whether any rule or host redirects at all: when none does, every lookup would answer false,
     *                    and the lookup (a second route match per request) is skipped
     */
    private record State(RouteTable<Boolean> redirects, boolean anyRedirect, TlsHosts tlsHosts) {
    }

    /** One virtual host's redirect decisions, and whether any of them redirects. */
    private record HostRedirects(RouteTable.HostRules<Boolean> rules, boolean anyRedirect) {
    }

    /** What the state was built from, and the decisions of each of its virtual hosts, by virtual host object. */
    private record Built(RouteModel model, TlsHosts tlsHosts, Map<VirtualHost, HostRedirects> hosts) {
    }

    /** The TLS host patterns of a model: exact names, and wildcards by the suffix after the star. */
    record TlsHosts(Set<String> exact, Set<String> wildcardSuffixes) {

        static TlsHosts of(TlsModel tls) {
            Set<String> exact = new HashSet<>();
            Set<String> wildcard = new HashSet<>();
            for (TlsHost host : tls.hosts()) {
                if (host.host().kind() == HostMatch.Kind.WILDCARD) {
                    wildcard.add(host.host().wildcardSuffix());
                } else {
                    exact.add(host.host().pattern());
                }
            }
            return new TlsHosts(Set.copyOf(exact), Set.copyOf(wildcard));
        }

        /** Whether a host name (lower case, no port) is served with TLS. */
        boolean covers(String host) {
            if (exact.contains(host)) {
                return true;
            }
            int dot = host.indexOf('.');
            return dot > 0 && wildcardSuffixes.contains(host.substring(dot));
        }

        /** Whether a virtual host's pattern is served with TLS: its own, or for an exact host a covering wildcard. */
        boolean covers(HostMatch pattern) {
            return switch (pattern.kind()) {
                case EXACT -> covers(pattern.pattern());
                case WILDCARD -> wildcardSuffixes.contains(pattern.wildcardSuffix());
                case ANY -> false;
            };
        }
    }

    private final AtomicReference<State> state = new AtomicReference<>();
    /** Only touched on the pipeline thread (and in the constructor). */
    private Built built;

    public TlsRedirects() {
        Map<VirtualHost, HostRedirects> hosts = new IdentityHashMap<>();
        TlsHosts tlsHosts = TlsHosts.of(TlsModel.EMPTY);
        state.set(build(RouteModel.EMPTY, tlsHosts, null, hosts));
        built = new Built(RouteModel.EMPTY, tlsHosts, hosts);
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.TLS_REDIRECTS;
    }

    @Override
    public void onModel(PipelineState pipelineState) {
        RouteModel model = pipelineState.model();
        RouteModel before = built.model();
        if (model.virtualHosts() == before.virtualHosts() && model.tls() == before.tls()) {
            return;
        }
        TlsHosts tlsHosts = TlsHosts.of(model.tls());
        boolean sameTls = tlsHosts.equals(built.tlsHosts())
                && model.tls().redirectHosts().equals(before.tls().redirectHosts());
        Map<VirtualHost, HostRedirects> hosts = new IdentityHashMap<>();
        state.set(build(model, tlsHosts, sameTls ? built.hosts() : null, hosts));
        built = new Built(model, tlsHosts, hosts);
    }

    /**
     * @param known decisions of virtual hosts made under the same TLS and redirect hosts, by virtual host object, or
     *              null
     * @param made  filled with the decisions of this model's virtual hosts
     */
    private static State build(RouteModel model, TlsHosts tlsHosts, Map<VirtualHost, HostRedirects> known,
                               Map<VirtualHost, HostRedirects> made) {
        RouteTable.Builder<Boolean> redirects = RouteTable.builder();
        boolean anyRedirect = !model.tls().redirectHosts().isEmpty();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            HostRedirects host = known == null ? null : known.get(virtualHost);
            if (host == null) {
                host = hostRedirects(virtualHost, tlsHosts, model.tls());
            }
            made.put(virtualHost, host);
            redirects.host(virtualHost.host(), host.rules());
            anyRedirect |= host.anyRedirect();
        }
        for (HostMatch host : model.tls().redirectHosts()) {
            redirects.hostDefault(host, true); // no-op for hosts that are virtual hosts: the first default wins
        }
        redirects.defaultTarget(false);
        return new State(redirects.build(), anyRedirect, tlsHosts);
    }

    private static HostRedirects hostRedirects(VirtualHost virtualHost, TlsHosts tlsHosts, TlsModel tls) {
        boolean hostHasTls = tlsHosts.covers(virtualHost.host());
        boolean any = false;
        List<RouteTable.Rule<Boolean>> rules = new ArrayList<>(virtualHost.routes().size());
        for (Route route : virtualHost.routes()) {
            boolean redirect = policyOf(route.policies().get(TlsRedirectPolicy.class)).redirects(hostHasTls);
            any |= redirect;
            rules.add(new RouteTable.Rule<>(route.path(), redirect));
        }
        return new HostRedirects(new RouteTable.HostRules<>(rules,
                tls.redirectHosts().contains(virtualHost.host())), any);
    }

    /**
     * Whether an HTTP request goes to HTTPS instead.
     *
     * @param served the served route the gateway matched the request to, or null
     */
    public boolean redirects(ServedRoute served, String hostHeader, String rawPath) {
        State current = state.get();
        if (!current.anyRedirect()) {
            return false;
        }
        if (served != null && served.kind() == Kind.RULE && served.rule().host().kind() == HostMatch.Kind.EXACT) {
            // An exact host is the most specific: the table would select it and find this very rule.
            return policyOf(served.policy(TlsRedirectPolicy.class))
                    .redirects(current.tlsHosts().covers(served.rule().host()));
        }
        return Boolean.TRUE.equals(current.redirects().lookup(hostHeader, rawPath));
    }

    /** Whether any route or host of the model redirects at all. */
    public boolean anyRedirect() {
        return state.get().anyRedirect();
    }

    /** Whether an HTTP request with this Host header and path goes to HTTPS instead, looked up by host and path. */
    public boolean redirects(String hostHeader, String rawPath) {
        return redirects(null, hostHeader, rawPath);
    }

    private static TlsRedirectPolicy policyOf(TlsRedirectPolicy policy) {
        return policy != null ? policy : TlsRedirectPolicy.DEFAULTS;
    }

    /** Whether a host (as a Host header: any case, maybe with a port) is one of the TLS hosts. */
    public boolean hasTls(String hostHeader) {
        return state.get().tlsHosts().covers(RequestHost.normalize(hostHeader));
    }
}
