package io.ingressgateway.tls;

import io.ingressgateway.gateway.RouteTable;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Answers, per request, what HTTPS asks of it: whether an HTTP request is redirected (looked up exactly as the
 * gateway routes it, host first, then path, so the route that would serve it decides), and whether a host has TLS
 * (for HSTS). Rebuilt on every model and swapped atomically.
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

    private final AtomicReference<State> state = new AtomicReference<>(build(RouteModel.EMPTY));

    @Override
    public void onModel(PipelineState pipelineState) {
        state.set(build(pipelineState.model()));
    }

    static State build(RouteModel model) {
        RouteTable.Builder<Boolean> redirects = RouteTable.builder();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            for (Route route : virtualHost.routes()) {
                redirects.rule(virtualHost.host(), route.path(), model.tls().redirectRouteIds().contains(route.id()));
            }
            redirects.hostDefault(virtualHost.host(), model.tls().redirectHosts().contains(virtualHost.host()));
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
