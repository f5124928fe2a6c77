package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IdentityDiff;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.certificates.InvalidCertificateException;
import io.ingressgateway.translate.certificates.TlsSecrets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads {@code spec.tls} of the served Ingresses, and the configured default certificate, as ingress-nginx does.
 *
 * <ul>
 *   <li>Each host of a {@code spec.tls} entry is served with the certificate of its {@code secretName}, a Secret in
 *       the Ingress's namespace. An entry without hosts covers the Ingress's rule hosts that its certificate is valid
 *       for. An entry without {@code secretName} declares TLS with the default certificate.</li>
 *   <li>A missing, malformed or mismatched Secret is a warning on the Ingress; its hosts get the default certificate,
 *       and keep their redirect. No other host is affected.</li>
 *   <li>When several Ingresses name the same TLS host, the oldest decides its certificate (as for paths); a younger
 *       one asking for another Secret gets a warning.</li>
 *   <li>HTTP requests for a TLS host that match none of its routes are redirected to HTTPS unless the Ingress deciding
 *       the host opts out ({@link TlsRedirectPolicy}); a route's own requests follow its route's policy, which the
 *       data plane holds against the TLS hosts.</li>
 * </ul>
 *
 * <p>Two steps, so that a change to one Ingress costs little: {@link #read} turns one Ingress into what it asks for
 * (a {@link Read}, remembered while the Ingress and the Secrets stay the same objects); {@link #assemble} settles the
 * claims of every served Ingress with TLS settings, oldest first, and works out which hosts redirect.
 */
final class TlsRules {

    /** What one translation learned about TLS. */
    record Result(TlsModel model, Map<IngressRef, List<Diagnostic>> diagnostics) {

        static final Result EMPTY = new Result(TlsModel.EMPTY, Map.of());

        List<Diagnostic> diagnosticsOf(IngressRef ref) {
            return diagnostics.getOrDefault(ref, List.of());
        }
    }

    /**
     * What one served Ingress asks for, in the order it asks: warnings that concern it alone, and TLS hosts it claims
     * (whether a claim holds depends on older Ingresses, so it is decided by {@link #assemble}).
     */
    record Read(List<Step> steps) {

        static final Read NOTHING = new Read(List.of());

        Read {
            steps = List.copyOf(steps);
        }

        /** Whether the Ingress affects TLS at all: most Ingresses do not, and are skipped by {@link #assemble}. */
        boolean isEmpty() {
            return steps.isEmpty();
        }
    }

    sealed interface Step {
    }

    /** A warning for the reading Ingress. */
    record Warning(Diagnostic diagnostic) implements Step {
    }

    /** The reading Ingress asks for {@code candidate} (its {@code spec.tls} entry at {@code field}). */
    record Claim(TlsHost candidate, String field) implements Step {
    }

    /** One served Ingress, what it asks for, and its redirect policy, as {@link #assemble} takes them. */
    record Reader(IngressRef ref, Read read, TlsRedirectPolicy redirect) {
    }

    /**
     * The Secrets of one snapshot by {@code namespace/name}, and what was parsed from each. Parsing is remembered by
     * Secret object, across snapshots: an unchanged Secret is never parsed again.
     */
    static final class Secrets {

        private final List<Secret> list;
        private final Map<String, Secret> byName = new HashMap<>();
        private final Map<Secret, Object> parsed = new IdentityHashMap<>();

        /** @param previous the Secrets of an earlier snapshot, whose parsing of unchanged Secrets is reused; or null */
        Secrets(List<Secret> list, Secrets previous) {
            this.list = list;
            for (Secret secret : list) {
                if (secret != null && secret.getMetadata() != null) {
                    byName.put(IngressOrder.namespace(secret) + "/" + secret.getMetadata().getName(), secret);
                    Object known = previous == null ? null : previous.parsed.get(secret);
                    if (known != null) {
                        parsed.put(secret, known);
                    }
                }
            }
        }

        /** Whether these are the Secrets of a snapshot holding {@code secrets}: the very same objects. */
        boolean sameAs(List<Secret> secrets) {
            return IdentityDiff.sameObjects(list, secrets);
        }

        /** The Secret {@code namespace/name}, or null when the snapshot has none of that name. */
        Secret find(String secretKey) {
            return byName.get(secretKey);
        }

        /** A usable certificate, or the problem (a String) that makes the Secret unusable. */
        Object load(String secretKey) {
            Secret secret = byName.get(secretKey);
            if (secret == null) {
                return "not found (only Secrets of type " + ClusterSnapshot.TLS_SECRET_TYPE + " are watched)";
            }
            return parsed.computeIfAbsent(secret, TlsRules::parse);
        }

        /**
         * The configured default certificate ({@code namespace/name} of its Secret, empty for none), read as the data
         * plane has always read it: from a Secret of any type holding {@code tls.crt} and {@code tls.key}.
         */
        TlsModel.DefaultCertificate defaultCertificate(String secretKey) {
            if (secretKey.isEmpty()) {
                return null;
            }
            Secret secret = byName.get(secretKey);
            if (secret == null) {
                return new TlsModel.DefaultCertificate(secretKey, null, "Secret " + secretKey + " not found");
            }
            try {
                return new TlsModel.DefaultCertificate(secretKey, TlsSecrets.parse(secret), null);
            } catch (InvalidCertificateException | RuntimeException e) {
                return new TlsModel.DefaultCertificate(secretKey, null, "Secret " + secretKey + ": " + e.getMessage());
            }
        }
    }

    private TlsRules() {
    }

    /** Reads the {@code spec.tls} of one served Ingress. */
    static Read read(Ingress ingress, IngressRef ref, Secrets secrets, HostOwnership ownership) {
        List<Step> steps = new ArrayList<>();
        try {
            readEntries(ingress, ref, secrets, ownership, steps);
        } catch (RuntimeException e) {
            // Last line of defence, as in IngressTranslator: one odd object never affects another Ingress.
            steps.add(warning("spec.tls", "TLS settings could not be read (" + e + "); hosts of this Ingress are"
                    + " served without its certificates"));
        }
        return steps.isEmpty() ? Read.NOTHING : new Read(steps);
    }

    private static void readEntries(Ingress ingress, IngressRef ref, Secrets secrets, HostOwnership ownership,
                                    List<Step> steps) {
        List<IngressTLS> entries = ingress.getSpec() == null || ingress.getSpec().getTls() == null
                ? List.of() : ingress.getSpec().getTls();
        for (int i = 0; i < entries.size(); i++) {
            String field = "spec.tls[" + i + "]";
            IngressTLS entry = entries.get(i);
            if (entry == null) {
                steps.add(warning(field, "TLS entry is empty; ignored"));
                continue;
            }
            String secretName = entry.getSecretName();
            String secretKey = secretName == null || secretName.isEmpty() ? null : ref.namespace() + "/" + secretName;
            TlsCertificate certificate = null;
            String fallback = null;
            if (secretKey == null) {
                fallback = field + " names no secretName";
            } else {
                Object resolved = secrets.load(secretKey);
                if (resolved instanceof TlsCertificate usable) {
                    certificate = usable;
                } else {
                    fallback = "Secret " + secretKey + ": " + resolved;
                    steps.add(warning(field + ".secretName", fallback + "; its hosts are served with the default"
                            + " certificate"));
                }
            }
            List<String> names = entry.getHosts() == null ? List.of() : entry.getHosts();
            if (names.isEmpty()) {
                addRuleHostsCoveredBy(ingress, ref, field, secretKey, certificate, ownership, steps);
                continue;
            }
            for (int j = 0; j < names.size(); j++) {
                String hostField = field + ".hosts[" + j + "]";
                String name = names.get(j);
                if (name == null || name.isEmpty()) {
                    steps.add(warning(hostField, "host is empty; ignored"));
                    continue;
                }
                HostRules.Result host = HostRules.parse(name);
                if (host.problem() != null) {
                    steps.add(warning(hostField, "host '" + name + "' " + host.problem() + "; ignored"));
                    continue;
                }
                // Serving a certificate for a host is claiming it: a tenant's Secret must never answer for
                // another tenant's host.
                String refusal = ownership.refusal(ref.namespace(), host.host());
                if (refusal != null) {
                    steps.add(warning(hostField, "TLS host " + host.host() + " may not be claimed by namespace "
                            + ref.namespace() + ": " + refusal + " (ingress-gateway.host-ownership); ignored"));
                    continue;
                }
                steps.add(new Claim(new TlsHost(host.host(), ref, secretKey, certificate, fallback), hostField));
            }
        }
    }

    /** ingress-nginx serves an entry without hosts for the Ingress's rule hosts its certificate is valid for. */
    private static void addRuleHostsCoveredBy(Ingress ingress, IngressRef ref, String field, String secretKey,
                                              TlsCertificate certificate, HostOwnership ownership,
                                              List<Step> steps) {
        if (certificate == null) {
            return;
        }
        List<IngressRule> rules = ingress.getSpec().getRules() == null ? List.of() : ingress.getSpec().getRules();
        Set<HostMatch> covered = new LinkedHashSet<>();
        for (IngressRule rule : rules) {
            if (rule != null && rule.getHost() != null && !rule.getHost().isEmpty()) {
                HostRules.Result host = HostRules.parse(rule.getHost());
                // A rule host the namespace may not claim is already reported on its rule.
                if (host.problem() == null && certificate.covers(host.host())
                        && ownership.refusal(ref.namespace(), host.host()) == null) {
                    covered.add(host.host());
                }
            }
        }
        if (covered.isEmpty()) {
            steps.add(warning(field + ".hosts", "no hosts listed and the certificate of Secret " + secretKey
                    + " covers none of the Ingress's rule hosts; the entry is ignored"));
        }
        for (HostMatch host : covered) {
            steps.add(new Claim(new TlsHost(host, ref, secretKey, certificate, null), field + ".hosts"));
        }
    }

    /**
     * Settles every claim and works out which hosts redirect.
     *
     * @param readers            the served Ingresses whose {@link Read} is not empty, oldest first
     * @param virtualHosts       the merged virtual hosts, in model order
     * @param hasVirtualHost     whether a virtual host exists for a host pattern
     * @param defaultCertificate the configured default certificate as read, or null when none is configured
     */
    static Result assemble(Iterable<Reader> readers, Collection<VirtualHost> virtualHosts,
                           Predicate<HostMatch> hasVirtualHost, TlsModel.DefaultCertificate defaultCertificate) {
        Assembly assembly = new Assembly();
        for (Reader reader : readers) {
            assembly.apply(reader);
        }
        if (assembly.hosts.isEmpty() && assembly.diagnostics.isEmpty() && defaultCertificate == null) {
            return Result.EMPTY;
        }
        return new Result(assembly.model(virtualHosts, hasVirtualHost, defaultCertificate), assembly.diagnostics);
    }

    /** The claims of one translation, applied oldest Ingress first: the first claim of a host holds it. */
    private static final class Assembly {
        final Map<IngressRef, List<Diagnostic>> diagnostics = new HashMap<>();
        final Map<IngressRef, TlsRedirectPolicy> redirects = new HashMap<>();
        final Map<HostMatch, TlsHost> hosts = new LinkedHashMap<>();

        void apply(Reader reader) {
            redirects.put(reader.ref(), reader.redirect());
            for (Step step : reader.read().steps()) {
                if (step instanceof Warning warning) {
                    warn(reader.ref(), warning.diagnostic());
                } else if (step instanceof Claim claim) {
                    add(claim.candidate(), claim.field());
                }
            }
        }

        private void add(TlsHost candidate, String field) {
            TlsHost holder = hosts.get(candidate.host());
            if (holder != null) {
                if (!holder.ingress().equals(candidate.ingress())
                        && !Objects.equals(holder.secret(), candidate.secret())) {
                    warn(candidate.ingress(), warning(field, "TLS host " + candidate.host() + " is already served"
                            + " with " + (holder.secret() == null ? "the default certificate"
                            : "Secret " + holder.secret()) + " by Ingress " + holder.ingress() + ", which takes"
                            + " precedence (created earlier, or same age and first by namespace/name); this entry"
                            + " is ignored for it").diagnostic());
                }
                return;
            }
            if (candidate.certificate() != null && !candidate.certificate().covers(candidate.host())) {
                warn(candidate.ingress(), warning(field, "the certificate of Secret " + candidate.secret() + " is not"
                        + " valid for " + candidate.host() + " (it names " + candidate.certificate().dnsNames()
                        + "); it is served anyway and clients will reject it").diagnostic());
            }
            hosts.put(candidate.host(), candidate);
        }

        private void warn(IngressRef ref, Diagnostic diagnostic) {
            diagnostics.computeIfAbsent(ref, k -> new ArrayList<>()).add(diagnostic);
        }

        /** Whether the Ingress deciding a TLS host redirects the host's requests that match none of its routes. */
        private boolean redirectsUnmatched(TlsHost tls) {
            return redirects.getOrDefault(tls.ingress(), TlsRedirectPolicy.DEFAULTS).redirectsUnmatchedPaths();
        }

        TlsModel model(Collection<VirtualHost> virtualHosts, Predicate<HostMatch> hasVirtualHost,
                       TlsModel.DefaultCertificate defaultCertificate) {
            Set<HostMatch> redirectHosts = new LinkedHashSet<>();
            Set<String> wildcardVirtualHosts = new LinkedHashSet<>();
            for (VirtualHost virtualHost : virtualHosts) {
                TlsHost tls = tlsOf(virtualHost.host());
                if (tls != null && redirectsUnmatched(tls)) {
                    redirectHosts.add(virtualHost.host());
                }
                if (virtualHost.host().kind() == HostMatch.Kind.WILDCARD) {
                    wildcardVirtualHosts.add(virtualHost.host().wildcardSuffix());
                }
            }
            // A TLS host without rules of its own still redirects, unless a wildcard virtual host routes it.
            for (TlsHost tls : hosts.values()) {
                String pattern = tls.host().pattern();
                int dot = pattern.indexOf('.');
                boolean routedByWildcard = tls.host().kind() == HostMatch.Kind.EXACT && dot > 0
                        && wildcardVirtualHosts.contains(pattern.substring(dot));
                if (!hasVirtualHost.test(tls.host()) && !routedByWildcard && redirectsUnmatched(tls)) {
                    redirectHosts.add(tls.host());
                }
            }
            return new TlsModel(new ArrayList<>(hosts.values()), redirectHosts, defaultCertificate);
        }

        /** The TLS host a host pattern is served under: its own, else (for an exact host) the wildcard covering it. */
        private TlsHost tlsOf(HostMatch host) {
            TlsHost own = hosts.get(host);
            if (own != null || host.kind() != HostMatch.Kind.EXACT || hosts.isEmpty()) {
                return own;
            }
            int dot = host.pattern().indexOf('.');
            return dot > 0 ? hosts.get(HostMatch.of("*" + host.pattern().substring(dot))) : null;
        }
    }

    private static Object parse(Secret secret) {
        if (!ClusterSnapshot.TLS_SECRET_TYPE.equals(secret.getType())) {
            return "is of type " + secret.getType() + ", not " + ClusterSnapshot.TLS_SECRET_TYPE;
        }
        try {
            return TlsSecrets.parse(secret);
        } catch (InvalidCertificateException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "unreadable (" + e + ")";
        }
    }

    private static Warning warning(String field, String message) {
        return new Warning(Diagnostic.warning(field, message));
    }
}
