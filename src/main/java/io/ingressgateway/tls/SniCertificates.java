package io.ingressgateway.tls;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.tcp.SslProvider;

/**
 * Chooses the certificate of each TLS handshake by SNI: the exact TLS host, else the wildcard covering the name's
 * first label, else the default certificate (also for clients sending no SNI).
 *
 * <p>Each model builds a new immutable selection that replaces the previous one in one atomic swap: new handshakes use
 * the new certificates at once, connections already established keep theirs. TLS contexts are reused across models
 * for unchanged certificates.
 *
 * <p>The default certificate is the configured Secret ({@code ingress-gateway.tls.default-certificate}, read by the
 * translator into the model) when it is present and usable, else a self-signed certificate generated at start.
 */
public class SniCertificates implements AsyncMapping<String, SslProvider>, RouteModelListener {

    private static final Logger log = LoggerFactory.getLogger(SniCertificates.class);

    /** One host's certificate as served, and why (for the Actuator endpoint and metrics). */
    public record Served(String host, TlsCertificate certificate, String reason) {
    }

    private record Selection(Map<String, SslProvider> exact, Map<String, SslProvider> wildcardBySuffix,
                             SslProvider defaultProvider, TlsCertificate defaultCertificate, String defaultReason,
                             List<Served> served, ClientCertificateHosts clientCertificates) {
    }

    private final TlsContexts contexts;
    private final TlsCertificate selfSigned;
    private final AtomicReference<Selection> selection = new AtomicReference<>();
    private String lastDefaultProblem;
    /** What the current selection was made from; only touched on the pipeline thread. */
    private TlsModel lastTls;
    private ClientCertificateHosts lastClientCertificates = ClientCertificateHosts.NONE;

    public SniCertificates(IngressGatewayProperties.Tls settings) {
        this.contexts = new TlsContexts(settings);
        this.selfSigned = SelfSignedCertificate.generate();
        TlsContexts.Generation generation = contexts.generation();
        selection.set(new Selection(Map.of(), Map.of(), generation.providerFor(selfSigned), selfSigned,
                "no default certificate configured", List.of(), ClientCertificateHosts.NONE));
        generation.retainRequested();
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.TLS_CERTIFICATES;
    }

    @Override
    public void onModel(PipelineState state) {
        TlsModel tls = state.model().tls();
        ClientCertificateHosts clientCertificates = ClientCertificateHosts.of(state.model());
        if (tls == lastTls && clientCertificates.equals(lastClientCertificates)) {
            // The same TLS hosts, default certificate and client authentication (an Ingress change without TLS, an
            // endpoint change): the selection stands as it is.
            return;
        }
        TlsContexts.Generation generation = contexts.generation();
        TlsCertificate defaultCertificate = selfSigned;
        String defaultReason = "no default certificate configured";
        TlsModel.DefaultCertificate configured = tls.defaultCertificate();
        if (configured != null) {
            String problem = configured.problem();
            if (configured.certificate() != null) {
                defaultCertificate = configured.certificate();
                defaultReason = "configured default certificate";
            }
            if (problem != null) {
                defaultReason = problem + "; self-signed certificate served instead";
                if (!problem.equals(lastDefaultProblem)) {
                    log.warn("Default certificate unusable ({}); serving the self-signed one", problem);
                }
            }
            lastDefaultProblem = problem;
        }

        SslProvider defaultProvider;
        try {
            defaultProvider = generation.providerFor(defaultCertificate);
        } catch (RuntimeException e) {
            log.warn("TLS context for the default certificate could not be built: {}", e.toString());
            defaultCertificate = selfSigned;
            defaultReason = "configured default certificate unusable (" + e.getMessage() + "); self-signed";
            defaultProvider = generation.providerFor(selfSigned);
        }
        Map<String, SslProvider> exact = new HashMap<>();
        Map<String, SslProvider> wildcard = new HashMap<>();
        // The certificate each name is served with, for the hosts that ask clients for one (below).
        Map<String, TlsCertificate> exactCertificates = new HashMap<>();
        Map<String, TlsCertificate> wildcardCertificates = new HashMap<>();
        List<Served> served = new ArrayList<>();
        for (TlsHost host : tls.hosts()) {
            if (host.certificate() == null) {
                // Mapped explicitly, so a wildcard TLS host covering this name does not answer in its place.
                (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcard : exact)
                        .put(key(host.host()), defaultProvider);
                (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcardCertificates : exactCertificates)
                        .put(key(host.host()), defaultCertificate);
                served.add(new Served(host.host().toString(), defaultCertificate, "default certificate: "
                        + host.fallbackReason()));
                continue;
            }
            SslProvider provider;
            try {
                provider = generation.providerFor(host.certificate());
            } catch (RuntimeException e) {
                // The JDK refused the material (an unsupported key size, say): this host falls back, no other.
                log.warn("TLS context for {} from {} could not be built: {}", host.host(), host.secret(),
                        e.toString());
                (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcard : exact)
                        .put(key(host.host()), defaultProvider);
                (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcardCertificates : exactCertificates)
                        .put(key(host.host()), defaultCertificate);
                served.add(new Served(host.host().toString(), defaultCertificate, "default certificate: TLS"
                        + " context could not be built (" + e.getMessage() + ")"));
                continue;
            }
            (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcard : exact).put(key(host.host()), provider);
            (host.host().kind() == HostMatch.Kind.WILDCARD ? wildcardCertificates : exactCertificates)
                    .put(key(host.host()), host.certificate());
            served.add(new Served(host.host().toString(), host.certificate(), "Secret " + host.secret()));
        }
        // Hosts that authenticate clients get a TLS setup of their own that asks for a certificate, with the
        // certificate their name is served with otherwise: one set by name, so a handshake for another host sharing
        // that certificate asks nothing of its client.
        for (Map.Entry<String, ClientCertificatePolicy> host : clientCertificates.exact().entrySet()) {
            TlsCertificate certificate = exactCertificates.get(host.getKey());
            if (certificate == null) {
                int dot = host.getKey().indexOf('.');
                certificate = dot > 0 ? wildcardCertificates.get(host.getKey().substring(dot)) : null;
            }
            askForClientCertificates(generation, host.getKey(), host.getValue(),
                    certificate != null ? certificate : defaultCertificate, exact);
        }
        for (Map.Entry<String, ClientCertificatePolicy> host : clientCertificates.wildcardBySuffix().entrySet()) {
            TlsCertificate certificate = wildcardCertificates.get(host.getKey());
            askForClientCertificates(generation, host.getKey(), host.getValue(),
                    certificate != null ? certificate : defaultCertificate, wildcard);
        }
        selection.set(new Selection(Map.copyOf(exact), Map.copyOf(wildcard), defaultProvider, defaultCertificate,
                defaultReason, List.copyOf(served), clientCertificates));
        generation.retainRequested();
        lastTls = tls;
        lastClientCertificates = clientCertificates;
    }

    private static void askForClientCertificates(TlsContexts.Generation generation, String key,
                                                 ClientCertificatePolicy policy, TlsCertificate certificate,
                                                 Map<String, SslProvider> providers) {
        if (!policy.requestsCertificate()) {
            return;
        }
        try {
            providers.put(key, generation.providerFor(certificate, policy.trusted()));
        } catch (RuntimeException e) {
            // Left with the setup that asks for nothing: its requests then fail the check (400), none goes through.
            log.warn("TLS context asking clients of {} for certificates could not be built: {}", key, e.toString());
        }
    }

    /** Exact hosts by name, wildcards by the suffix after the star. */
    private static String key(HostMatch host) {
        return host.kind() == HostMatch.Kind.WILDCARD ? host.wildcardSuffix() : host.pattern();
    }

    @Override
    public Future<SslProvider> map(String serverName, Promise<SslProvider> promise) {
        return promise.setSuccess(select(serverName));
    }

    /** The TLS setup for a server name (any case, maybe with a trailing dot) or null for a client without SNI. */
    SslProvider select(String serverName) {
        Selection current = selection.get();
        if (serverName == null || serverName.isEmpty()) {
            return current.defaultProvider();
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        SslProvider exact = current.exact().get(name);
        if (exact != null) {
            return exact;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            SslProvider wildcard = current.wildcardBySuffix().get(name.substring(dot));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return current.defaultProvider();
    }

    /**
     * Whether a TLS rule of the current model covers {@code host} (lower case, no port, no trailing dot): exactly,
     * or by a wildcard over its first label. Hosts served with the default certificate because their Secret is
     * unusable count too: they have a TLS rule of their own.
     */
    boolean servesOverTls(String host) {
        Selection current = selection.get();
        if (current.exact().containsKey(host)) {
            return true;
        }
        int dot = host.indexOf('.');
        return dot > 0 && current.wildcardBySuffix().containsKey(host.substring(dot));
    }

    /**
     * The client certificate authentication of a request's host (lower case, no port, no trailing dot), or null when
     * its host authenticates no client.
     */
    ClientCertificatePolicy clientCertificatePolicy(String host) {
        return selection.get().clientCertificates().forHost(host);
    }

    /** Whether some host of the current model authenticates clients by certificate. */
    boolean anyClientCertificates() {
        return !selection.get().clientCertificates().isEmpty();
    }

    /** The TLS setup for clients without SNI; the listener starts with it. */
    public SslProvider defaultProvider() {
        return selection.get().defaultProvider();
    }

    public TlsCertificate defaultCertificate() {
        return selection.get().defaultCertificate();
    }

    /** Why the default certificate is the one it is. */
    public String defaultReason() {
        return selection.get().defaultReason();
    }

    /** Each TLS host of the current model with the certificate it is served with. */
    public List<Served> served() {
        return selection.get().served();
    }

    @Override
    public String toString() {
        Selection current = selection.get();
        return "SniCertificates[" + current.served().size() + " hosts, default " + Objects.toString(
                current.defaultCertificate()) + "]";
    }
}
