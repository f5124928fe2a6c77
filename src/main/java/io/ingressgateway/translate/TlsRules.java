package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.tls.InvalidCertificateException;
import io.ingressgateway.tls.TlsSecrets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code spec.tls} and the redirect annotations of the served Ingresses, as ingress-nginx does.
 *
 * <ul>
 *   <li>Each host of a {@code spec.tls} entry is served with the certificate of its {@code secretName}, a Secret in
 *       the Ingress's namespace. An entry without hosts covers the Ingress's rule hosts that its certificate is valid
 *       for. An entry without {@code secretName} declares TLS with the default certificate.</li>
 *   <li>A missing, malformed or mismatched Secret is a warning on the Ingress; its hosts get the default certificate,
 *       and keep their redirect. No other host is affected.</li>
 *   <li>When several Ingresses name the same TLS host, the oldest decides its certificate (as for paths); a younger
 *       one asking for another Secret gets a warning.</li>
 *   <li>HTTP requests to a route are redirected to HTTPS when the route's host has TLS (by its own pattern or, for an
 *       exact host, a wildcard TLS host covering it), unless the route's Ingress opts out with {@code ssl-redirect:
 *       "false"}; {@code force-ssl-redirect: "true"} redirects its routes even without TLS. Both are read under
 *       {@value #OUR_PREFIX} and, for Ingresses written for ingress-nginx, {@value #NGINX_PREFIX}; ours wins.</li>
 * </ul>
 */
final class TlsRules {

    static final String OUR_PREFIX = "ingress-gateway.io/";
    static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";
    static final String SSL_REDIRECT = "ssl-redirect";
    static final String FORCE_SSL_REDIRECT = "force-ssl-redirect";

    /** What one translation learned about TLS. */
    record Result(TlsModel model, Map<IngressRef, List<Diagnostic>> diagnostics) {

        List<Diagnostic> diagnosticsOf(IngressRef ref) {
            return diagnostics.getOrDefault(ref, List.of());
        }
    }

    private enum Redirect { DEFAULT, OFF, FORCE }

    private final Map<String, Secret> secrets = new HashMap<>();
    private final Map<String, Object> parsed = new HashMap<>();
    /** What an earlier translation parsed, by Secret object: an unchanged Secret is not parsed again. */
    private final Map<Secret, Object> known;
    /** What this translation parsed or reused, by Secret object. */
    private final Map<Secret, Object> loaded;
    private final Map<IngressRef, List<Diagnostic>> diagnostics = new HashMap<>();
    private final Map<IngressRef, Redirect> redirects = new HashMap<>();
    private final Map<HostMatch, TlsHost> hosts = new LinkedHashMap<>();

    private TlsRules(List<Secret> secretList, Map<Secret, Object> known, Map<Secret, Object> loaded) {
        this.known = known;
        this.loaded = loaded;
        for (Secret secret : secretList) {
            if (secret != null && secret.getMetadata() != null) {
                secrets.put(IngressOrder.namespace(secret) + "/" + secret.getMetadata().getName(), secret);
            }
        }
    }

    /**
     * @param served       the served Ingresses, oldest first
     * @param virtualHosts the merged virtual hosts (routes know which Ingress they came from)
     * @param known        what an earlier call parsed from each Secret object (its {@code loaded})
     * @param loaded       filled with what this call parsed or reused, by Secret object
     */
    static Result resolve(List<Ingress> served, List<Secret> secrets, List<VirtualHost> virtualHosts,
                          Map<Secret, Object> known, Map<Secret, Object> loaded) {
        TlsRules rules = new TlsRules(secrets, known, loaded);
        for (Ingress ingress : served) {
            try {
                rules.read(ingress);
            } catch (RuntimeException e) {
                // Last line of defence, as in IngressTranslator: one odd object never affects another Ingress.
                rules.warn(IngressOrder.ref(ingress), "spec.tls", "TLS settings could not be read (" + e + ");"
                        + " hosts of this Ingress are served without its certificates");
            }
        }
        return new Result(rules.model(virtualHosts), rules.diagnostics);
    }

    private void read(Ingress ingress) {
        IngressRef ref = IngressOrder.ref(ingress);
        redirects.put(ref, redirectOf(ingress, ref));
        List<IngressTLS> entries = ingress.getSpec() == null || ingress.getSpec().getTls() == null
                ? List.of() : ingress.getSpec().getTls();
        for (int i = 0; i < entries.size(); i++) {
            String field = "spec.tls[" + i + "]";
            IngressTLS entry = entries.get(i);
            if (entry == null) {
                warn(ref, field, "TLS entry is empty; ignored");
                continue;
            }
            String secretName = entry.getSecretName();
            String secretKey = secretName == null || secretName.isEmpty() ? null : ref.namespace() + "/" + secretName;
            TlsCertificate certificate = null;
            String fallback = null;
            if (secretKey == null) {
                fallback = field + " names no secretName";
            } else {
                Object resolved = parsed.computeIfAbsent(secretKey, this::load);
                if (resolved instanceof TlsCertificate usable) {
                    certificate = usable;
                } else {
                    fallback = "Secret " + secretKey + ": " + resolved;
                    warn(ref, field + ".secretName", fallback + "; its hosts are served with the default"
                            + " certificate");
                }
            }
            List<String> names = entry.getHosts() == null ? List.of() : entry.getHosts();
            if (names.isEmpty()) {
                addRuleHostsCoveredBy(ingress, ref, field, secretKey, certificate);
                continue;
            }
            for (int j = 0; j < names.size(); j++) {
                String hostField = field + ".hosts[" + j + "]";
                String name = names.get(j);
                if (name == null || name.isEmpty()) {
                    warn(ref, hostField, "host is empty; ignored");
                    continue;
                }
                HostRules.Result host = HostRules.parse(name);
                if (host.problem() != null) {
                    warn(ref, hostField, "host '" + name + "' " + host.problem() + "; ignored");
                    continue;
                }
                add(new TlsHost(host.host(), ref, secretKey, certificate, fallback), hostField);
            }
        }
    }

    /** ingress-nginx serves an entry without hosts for the Ingress's rule hosts its certificate is valid for. */
    private void addRuleHostsCoveredBy(Ingress ingress, IngressRef ref, String field, String secretKey,
                                       TlsCertificate certificate) {
        if (certificate == null) {
            return;
        }
        List<IngressRule> rules = ingress.getSpec().getRules() == null ? List.of() : ingress.getSpec().getRules();
        Set<HostMatch> covered = new LinkedHashSet<>();
        for (IngressRule rule : rules) {
            if (rule != null && rule.getHost() != null && !rule.getHost().isEmpty()) {
                HostRules.Result host = HostRules.parse(rule.getHost());
                if (host.problem() == null && certificate.covers(host.host())) {
                    covered.add(host.host());
                }
            }
        }
        if (covered.isEmpty()) {
            warn(ref, field + ".hosts", "no hosts listed and the certificate of Secret " + secretKey + " covers"
                    + " none of the Ingress's rule hosts; the entry is ignored");
        }
        for (HostMatch host : covered) {
            add(new TlsHost(host, ref, secretKey, certificate, null), field + ".hosts");
        }
    }

    private void add(TlsHost candidate, String field) {
        TlsHost holder = hosts.get(candidate.host());
        if (holder != null) {
            if (!holder.ingress().equals(candidate.ingress())
                    && !java.util.Objects.equals(holder.secret(), candidate.secret())) {
                warn(candidate.ingress(), field, "TLS host " + candidate.host() + " is already served with "
                        + (holder.secret() == null ? "the default certificate" : "Secret " + holder.secret())
                        + " by Ingress " + holder.ingress() + ", which takes precedence (created earlier, or same"
                        + " age and first by namespace/name); this entry is ignored for it");
            }
            return;
        }
        if (candidate.certificate() != null && !candidate.certificate().covers(candidate.host())) {
            warn(candidate.ingress(), field, "the certificate of Secret " + candidate.secret() + " is not valid"
                    + " for " + candidate.host() + " (it names " + candidate.certificate().dnsNames()
                    + "); it is served anyway and clients will reject it");
        }
        hosts.put(candidate.host(), candidate);
    }

    /** A usable certificate, or the problem (a String) that makes the Secret unusable. */
    private Object load(String secretKey) {
        Secret secret = secrets.get(secretKey);
        if (secret == null) {
            return "not found (only Secrets of type " + TlsSecrets.TYPE + " are watched)";
        }
        Object result = known.get(secret);
        if (result == null) {
            result = parse(secret);
        }
        loaded.put(secret, result);
        return result;
    }

    private static Object parse(Secret secret) {
        if (!TlsSecrets.TYPE.equals(secret.getType())) {
            return "is of type " + secret.getType() + ", not " + TlsSecrets.TYPE;
        }
        try {
            return TlsSecrets.parse(secret);
        } catch (InvalidCertificateException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return "unreadable (" + e + ")";
        }
    }

    private Redirect redirectOf(Ingress ingress, IngressRef ref) {
        Map<String, String> annotations = ingress.getMetadata() == null ? null
                : ingress.getMetadata().getAnnotations();
        if (annotations == null) {
            return Redirect.DEFAULT;
        }
        Boolean force = flag(annotations, FORCE_SSL_REDIRECT, ref);
        Boolean redirect = flag(annotations, SSL_REDIRECT, ref);
        if (Boolean.TRUE.equals(force)) {
            return Redirect.FORCE;
        }
        return Boolean.FALSE.equals(redirect) ? Redirect.OFF : Redirect.DEFAULT;
    }

    /** Our annotation, else ingress-nginx's; an unreadable value is a warning and counts as unset. */
    private Boolean flag(Map<String, String> annotations, String name, IngressRef ref) {
        for (String prefix : List.of(OUR_PREFIX, NGINX_PREFIX)) {
            String value = annotations.get(prefix + name);
            if (value == null) {
                continue;
            }
            String trimmed = value.trim().toLowerCase(Locale.ROOT);
            if (trimmed.equals("true") || trimmed.equals("false")) {
                return Boolean.valueOf(trimmed);
            }
            warn(ref, "metadata.annotations['" + prefix + name + "']", "'" + value + "' is not \"true\" or"
                    + " \"false\"; ignored");
        }
        return null;
    }

    private TlsHost tlsOf(HostMatch host) {
        TlsHost own = hosts.get(host);
        if (own != null || host.kind() != HostMatch.Kind.EXACT) {
            return own;
        }
        int dot = host.pattern().indexOf('.');
        return dot > 0 ? hosts.get(HostMatch.of("*" + host.pattern().substring(dot))) : null;
    }

    private TlsModel model(List<VirtualHost> virtualHosts) {
        Set<String> redirectRoutes = new LinkedHashSet<>();
        Set<HostMatch> redirectHosts = new LinkedHashSet<>();
        Set<String> wildcardVirtualHosts = new LinkedHashSet<>();
        for (VirtualHost virtualHost : virtualHosts) {
            TlsHost tls = tlsOf(virtualHost.host());
            for (Route route : virtualHost.routes()) {
                Redirect redirect = redirects.getOrDefault(route.ingress(), Redirect.DEFAULT);
                if (redirect == Redirect.FORCE || (redirect == Redirect.DEFAULT && tls != null)) {
                    redirectRoutes.add(route.id());
                }
            }
            if (tls != null && redirects.getOrDefault(tls.ingress(), Redirect.DEFAULT) != Redirect.OFF) {
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
            boolean hasVirtualHost = virtualHosts.stream().anyMatch(v -> v.host().equals(tls.host()));
            if (!hasVirtualHost && !routedByWildcard
                    && redirects.getOrDefault(tls.ingress(), Redirect.DEFAULT) != Redirect.OFF) {
                redirectHosts.add(tls.host());
            }
        }
        return new TlsModel(new ArrayList<>(hosts.values()), redirectRoutes, redirectHosts);
    }

    private void warn(IngressRef ref, String field, String message) {
        diagnostics.computeIfAbsent(ref, k -> new ArrayList<>()).add(Diagnostic.warning(field, message));
    }
}
