package io.ingressgateway.tls;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import java.util.HashMap;
import java.util.Map;

/**
 * The hosts of a model that authenticate clients by certificate, each with its one {@link ClientCertificatePolicy}
 * (the translator puts the host's policy on every route of the host). Looked up by TLS server name and by request
 * host, exact names first, then the wildcard over the first label, as SNI certificates are. The catch-all host (rules
 * without a host) is not among them: a handshake cannot name it, so no certificate can be asked for it.
 */
record ClientCertificateHosts(Map<String, ClientCertificatePolicy> exact,
                              Map<String, ClientCertificatePolicy> wildcardBySuffix) {

    static final ClientCertificateHosts NONE = new ClientCertificateHosts(Map.of(), Map.of());

    static ClientCertificateHosts of(RouteModel model) {
        Map<String, ClientCertificatePolicy> exact = new HashMap<>();
        Map<String, ClientCertificatePolicy> wildcard = new HashMap<>();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            HostMatch host = virtualHost.host();
            if (host.kind() == HostMatch.Kind.ANY || virtualHost.routes().isEmpty()) {
                continue;
            }
            Route first = virtualHost.routes().get(0);
            ClientCertificatePolicy policy = first.policies().get(ClientCertificatePolicy.class);
            if (policy != null) {
                if (host.kind() == HostMatch.Kind.WILDCARD) {
                    wildcard.put(host.wildcardSuffix(), policy);
                } else {
                    exact.put(host.pattern(), policy);
                }
            }
        }
        return exact.isEmpty() && wildcard.isEmpty() ? NONE
                : new ClientCertificateHosts(Map.copyOf(exact), Map.copyOf(wildcard));
    }

    boolean isEmpty() {
        return exact.isEmpty() && wildcardBySuffix.isEmpty();
    }

    /** The policy of a host (lower case, no port, no trailing dot), or null when it authenticates no client. */
    ClientCertificatePolicy forHost(String host) {
        if (isEmpty() || host == null) {
            return null;
        }
        ClientCertificatePolicy policy = exact.get(host);
        if (policy != null) {
            return policy;
        }
        int dot = host.indexOf('.');
        return dot > 0 ? wildcardBySuffix.get(host.substring(dot)) : null;
    }
}
