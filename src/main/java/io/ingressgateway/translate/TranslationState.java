package io.ingressgateway.translate;

import static io.ingressgateway.model.IdentityDiff.sameObjects;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.CanaryRules;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.RoutePolicy;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.IngressOrder.Age;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything one translation worked out, indexed so that the next translation redoes only what a change touches.
 *
 * <p>A change to some Ingresses (the usual change: IngressClasses, Services and Secrets the very same objects) reads
 * those Ingresses again, merges again only the hosts they name before or after the change, and rebuilds the reports
 * of the Ingresses sharing those hosts; the result is always what a translation from scratch gives (checked on random
 * change sequences by {@code IncrementalTranslationTest}). Any other change builds a new state, reusing what was read
 * from objects that did not change.
 *
 * <p>Mutable, owned by one {@link IngressTranslator}, used by one thread at a time. A translation that fails midway
 * leaves a half-updated state: the translator then drops it and builds the next one from scratch. The use counts of
 * upstreams are kept by {@link UpstreamUses}, reports are written by {@link IngressReports}.
 */
final class TranslationState {

    /** What one served Ingress was read into, at which resource version, consulting which Services. */
    private record Extraction(String resourceVersion, IngressRules.Extracted extracted,
                              List<BackendResolver.ServiceUse> uses,
                              Map<HostMatch, List<IngressRules.Candidate>> byHost) {
    }

    /**
     * One Ingress as last read, with the readers it was read by: a part stays valid for as long as its reader (and
     * the object) is the same.
     *
     * @param extraction its rules, or null when it is not served
     * @param tls        its TLS entries and redirect annotations, or null when it is not served
     */
    private record Entry(Ingress object, IngressRef ref, Age age, IngressClassSelector selector,
                         IngressClassSelector.Selection selection, Extraction extraction, TlsRules.Secrets secrets,
                         ConfigMaps configMaps, TlsRules.Read tls) {

        boolean served() {
            return extraction != null;
        }

        UpstreamKey defaultUpstreamKey() {
            return extraction == null ? null : extraction.extracted().defaultUpstreamKey();
        }

        /**
         * Whether its {@code defaultBackend} may take requests matching no host: as in ingress-nginx, only an Ingress
         * without rules configures the catch-all; one with rules keeps its {@code defaultBackend} for its own hosts.
         */
        boolean catchAllCandidate() {
            return defaultUpstreamKey() != null && (object.getSpec().getRules() == null
                    || object.getSpec().getRules().isEmpty());
        }

        /** Its canary rules when it is a canary Ingress (its paths claim nothing), else null. */
        CanaryRules canary() {
            return extraction == null ? null : extraction.extracted().policies().get(CanaryRules.class);
        }

        TlsRedirectPolicy redirect() {
            return extraction.extracted().policies().getOrDefault(TlsRedirectPolicy.class,
                    TlsRedirectPolicy.DEFAULTS);
        }
    }

    /** The served Ingresses naming one host, oldest first, and what merging them gave. */
    private static final class HostState {
        final TreeMap<Age, Entry> contributors = new TreeMap<>();
        Map<PathMatch, Route> holders = Map.of();
    }

    private final AnnotationFamilies families;
    private final HostOwnership ownership;
    private final boolean configuredDefaultBackendWins;
    /** Whether a store for global rate limits is configured (else their Ingresses get a warning). */
    private boolean globalRateLimitStore;
    private ClusterSnapshot snapshot;
    private IngressClassSelector selector;
    private BackendResolver backends;
    private List<EndpointSlice> backendSlices;
    private TlsRules.Secrets secrets;
    private ConfigMaps configMaps;
    /** The configured default certificate as read from the Secrets, or null when none is configured. */
    private TlsModel.DefaultCertificate defaultCertificate;
    /** The upstream of the configured default backend Service, or null. */
    private UpstreamKey configuredDefaultKey;

    private final Map<IngressRef, Entry> entries = new HashMap<>();
    /**
     * Names of Ingresses listed more than once in the snapshot this state was built from: only the first is in
     * {@link #entries}, so a change to any of them builds from scratch, where list order decides again.
     */
    private final Set<IngressRef> twins = new HashSet<>();
    private final Map<HostMatch, HostState> hosts = new HashMap<>();
    private final TreeMap<HostMatch, VirtualHost> virtualHosts = new TreeMap<>(VirtualHostMerger.HOST_ORDER);
    private final TreeMap<Age, Entry> withDefaultBackend = new TreeMap<>();
    private final TreeMap<Age, Entry> withTls = new TreeMap<>();
    private final TreeMap<IngressRef, IngressReport> reports = new TreeMap<>();
    private final UpstreamUses upstreams = new UpstreamUses();
    /** Whether ExternalName Services are served, as the backends were resolved with. */
    private ExternalNamePolicy externalNames = ExternalNamePolicy.DISABLED;
    private UpstreamKey globalDefault;
    private IngressRef globalDefaultOwner;
    private TlsRules.Result tls = TlsRules.Result.EMPTY;

    private List<VirtualHost> virtualHostList = List.of();
    private List<IngressReport> reportList = List.of();
    private boolean virtualHostsChanged;
    private boolean reportsChanged;
    private RouteModel model;

    private TranslationState(AnnotationFamilies families, HostOwnership ownership,
                             boolean configuredDefaultBackendWins) {
        this.families = families;
        this.ownership = ownership;
        this.configuredDefaultBackendWins = configuredDefaultBackendWins;
    }

    /**
     * A state translated from scratch, reusing what {@code previous} (may be null) read from objects that are the very
     * same in {@code snapshot}. When two Ingresses have the same namespace/name (two manifest files can say so),
     * the first in the snapshot is the one translated.
     */
    static TranslationState build(TranslatorSettings settings, DefaultBackendSetting configuredDefault,
                                  HostOwnership ownership, AnnotationFamilies families, ClusterSnapshot snapshot,
                                  TranslationState previous) {
        TranslationState state = new TranslationState(families, ownership, settings.configuredDefaultBackendWins());
        state.globalRateLimitStore = settings.globalRateLimitStore();
        state.snapshot = snapshot;
        state.selector = previous != null && sameObjects(previous.snapshot.ingressClasses(), snapshot.ingressClasses())
                ? previous.selector
                : new IngressClassSelector(settings.ingressClass(), settings.controllerName(),
                        snapshot.ingressClasses());
        state.backends = previous != null && sameObjects(previous.snapshot.services(), snapshot.services())
                && sameObjects(previous.backendSlices, snapshot.endpointSlices())
                && previous.externalNames.equals(settings.externalNames())
                ? previous.backends
                : new BackendResolver(snapshot.services(), snapshot.endpointSlices(), settings.externalNames());
        state.externalNames = settings.externalNames();
        state.backendSlices = snapshot.endpointSlices();
        boolean sameSecrets = previous != null && previous.secrets.sameAs(snapshot.secrets());
        state.secrets = sameSecrets ? previous.secrets
                : new TlsRules.Secrets(snapshot.secrets(), previous == null ? null : previous.secrets);
        state.configMaps = previous != null && previous.configMaps.sameAs(snapshot.configMaps())
                ? previous.configMaps : new ConfigMaps(snapshot.configMaps());
        state.defaultCertificate = sameSecrets ? previous.defaultCertificate
                : state.secrets.defaultCertificate(settings.defaultCertificateSecret());
        state.configuredDefaultKey = configuredDefault == null ? null : new UpstreamKey(configuredDefault.namespace(),
                configuredDefault.service(), configuredDefault.port());
        Map<IngressRef, Ingress> all = new LinkedHashMap<>(snapshot.ingresses().size() * 4 / 3 + 1);
        for (Ingress ingress : snapshot.ingresses()) {
            IngressRef ref = IngressOrder.ref(ingress);
            if (all.putIfAbsent(ref, ingress) != null) {
                state.twins.add(ref);
            }
        }
        state.apply(all, previous);
        state.upstreams.resolve(state.backends, previous == null ? null : previous.upstreams, false);
        state.publish();
        return state;
    }

    /** Whether {@link #update} can take {@code next}: only Ingresses and EndpointSlices may differ. */
    boolean canUpdateTo(ClusterSnapshot next) {
        return sameObjects(snapshot.ingressClasses(), next.ingressClasses())
                && sameObjects(snapshot.services(), next.services())
                && secrets.sameAs(next.secrets())
                && configMaps.sameAs(next.configMaps());
    }

    /**
     * The Ingresses that differ between the current snapshot and {@code ingresses}, by namespace/name (null for one
     * that is gone), or null when that cannot be told apart (two Ingresses with the same namespace/name, now or
     * among the changed ones before).
     *
     * <p>Sources list objects sorted by namespace/name, so the two lists are walked side by side and compared by
     * reference; names are only read where they differ. Lists in any other order give the right answer too, just
     * with more work.
     */
    Map<IngressRef, Ingress> ingressChanges(List<Ingress> ingresses) {
        List<Ingress> before = snapshot.ingresses();
        if (before == ingresses) {
            return new LinkedHashMap<>();
        }
        List<Ingress> removed = new ArrayList<>();
        List<Ingress> added = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < before.size() && j < ingresses.size()) {
            Ingress old = before.get(i);
            Ingress now = ingresses.get(j);
            if (old == now) {
                i++;
                j++;
                continue;
            }
            int order = IngressOrder.ref(old).compareTo(IngressOrder.ref(now));
            if (order <= 0) {
                removed.add(old);
                i++;
            }
            if (order >= 0) {
                added.add(now);
                j++;
            }
        }
        removed.addAll(before.subList(i, before.size()));
        added.addAll(ingresses.subList(j, ingresses.size()));

        Map<IngressRef, Ingress> changes = new LinkedHashMap<>();
        for (Ingress ingress : removed) {
            IngressRef ref = IngressOrder.ref(ingress);
            Entry entry = entries.get(ref);
            if (entry == null || entry.object() != ingress) {
                return null; // a duplicate name that was not translated
            }
            changes.put(ref, null);
        }
        for (Ingress ingress : added) {
            IngressRef ref = IngressOrder.ref(ingress);
            if (changes.containsKey(ref) ? changes.get(ref) != null : entries.containsKey(ref)) {
                return null; // the same name twice
            }
            changes.put(ref, ingress);
        }
        for (IngressRef ref : twins.isEmpty() ? Set.<IngressRef>of() : changes.keySet()) {
            if (twins.contains(ref)) {
                return null; // the twin that was translated changed, and another one may now come first
            }
        }
        return changes;
    }

    /**
     * Moves to {@code next}, which {@link #canUpdateTo} accepted and whose Ingresses differ by {@code changes} (from
     * {@link #ingressChanges}).
     */
    void update(ClusterSnapshot next, Map<IngressRef, Ingress> changes) {
        snapshot = next;
        boolean endpointsChanged = !sameObjects(backendSlices, next.endpointSlices());
        if (endpointsChanged) {
            backends = new BackendResolver(next.services(), next.endpointSlices(), externalNames);
            backendSlices = next.endpointSlices();
        }
        if (!changes.isEmpty()) {
            apply(changes, null);
        }
        upstreams.resolve(backends, null, endpointsChanged);
        publish();
    }

    RouteModel model() {
        return model;
    }

    /**
     * Reads the Ingresses of {@code changes} (null: gone) and redoes what depends on them: the hosts they name, the
     * global default backend, TLS and the reports of every Ingress whose outcome may have changed.
     *
     * @param previous an earlier state whose readings of the very same objects are reused (a build), or null
     */
    private void apply(Map<IngressRef, Ingress> changes, TranslationState previous) {
        Set<HostMatch> touchedHosts = new HashSet<>();
        Set<IngressRef> touchedReports = new HashSet<>();
        // Reports of the Ingresses read again: an equal new report is kept as the old instance.
        Map<IngressRef, IngressReport> replacedReports = new HashMap<>();
        boolean defaultsTouched = previous != null || model == null;
        for (Map.Entry<IngressRef, Ingress> change : changes.entrySet()) {
            IngressRef ref = change.getKey();
            Entry old = entries.remove(ref);
            if (old != null) {
                unlink(old, touchedHosts);
                defaultsTouched |= old.defaultUpstreamKey() != null;
                IngressReport report = reports.remove(ref);
                if (report != null) {
                    replacedReports.put(ref, report);
                }
            }
            if (change.getValue() != null) {
                Entry entry = read(change.getValue(), ref, old != null ? old
                        : previous == null ? null : previous.entries.get(ref));
                entries.put(ref, entry);
                link(entry, touchedHosts);
                defaultsTouched |= entry.defaultUpstreamKey() != null;
                touchedReports.add(ref);
            }
        }
        for (HostMatch host : touchedHosts) {
            merge(host, previous, touchedReports);
        }
        if (defaultsTouched) {
            decideGlobalDefault(touchedReports);
        }
        decideTls(previous, touchedReports);
        for (IngressRef ref : touchedReports) {
            Entry entry = entries.get(ref);
            if (entry == null) {
                continue;
            }
            IngressReport report = report(entry);
            IngressReport current = replacedReports.containsKey(ref) ? replacedReports.remove(ref)
                    : reports.get(ref);
            IngressReport before = current != null ? current : previous == null ? null : previous.reports.get(ref);
            if (before != null && before.equals(report)) {
                report = before;
            }
            reports.put(ref, report);
            if (report != current) {
                reportsChanged = true;
            }
        }
        if (!replacedReports.isEmpty()) {
            reportsChanged = true; // Ingresses that are gone
        }
    }

    private Entry read(Ingress ingress, IngressRef ref, Entry before) {
        boolean same = before != null && before.object() == ingress;
        Age age = same ? before.age() : new Age(IngressOrder.createdAt(ingress), ref);
        IngressClassSelector.Selection selection = same && before.selector() == selector ? before.selection()
                : selector.select(ingress);
        if (!selection.served()) {
            return new Entry(ingress, ref, age, selector, selection, null, null, null, null);
        }
        Extraction extraction = same ? reuse(before.extraction(), ingress) : null;
        if (extraction != null && before.secrets() != secrets
                && (UpstreamTlsSecrets.readsSecrets(extraction.extracted())
                        || ClientCertificateSecrets.readsSecrets(extraction.extracted())
                        || BasicAuthSecrets.readsSecrets(extraction.extracted()))) {
            extraction = null; // its proxy-ssl-secret, auth-tls-secret or auth-secret may have changed
        }
        if (extraction != null && before.configMaps() != configMaps
                && (CustomHeaderConfigMaps.readsConfigMaps(extraction.extracted())
                        || AuthProxyHeaderConfigMaps.readsConfigMaps(extraction.extracted()))) {
            extraction = null; // its custom-headers or auth-proxy-set-headers ConfigMap may have changed
        }
        if (extraction == null) {
            extraction = extract(ingress);
        }
        // A canary's TLS section is ignored, as ingress-nginx does: its hosts are the main Ingress's.
        TlsRules.Read tlsRead = extraction.extracted().policies().get(CanaryRules.class) != null
                ? TlsRules.Read.NOTHING
                : same && before.tls() != null && before.secrets() == secrets ? before.tls()
                : TlsRules.read(ingress, ref, secrets, ownership);
        return new Entry(ingress, ref, age, selector, selection, extraction, secrets, configMaps, tlsRead);
    }

    /** What was read from this very object before, while every Service it consulted is the same object too. */
    private Extraction reuse(Extraction extraction, Ingress ingress) {
        if (extraction == null || !Objects.equals(extraction.resourceVersion(), resourceVersion(ingress))
                || !backends.stillValid(extraction.uses())) {
            return null;
        }
        return extraction;
    }

    private Extraction extract(Ingress ingress) {
        backends.startRecording();
        IngressRules.Extracted extracted;
        try {
            extracted = IngressRules.extract(ingress, backends, families, ownership);
            Map<String, String> annotations = ingress.getMetadata() == null ? null
                    : ingress.getMetadata().getAnnotations();
            String namespace = IngressOrder.namespace(ingress);
            extracted = UpstreamTlsSecrets.resolve(extracted, annotations, namespace, secrets);
            extracted = ClientCertificateSecrets.resolve(extracted, annotations, namespace, secrets);
            extracted = BasicAuthSecrets.resolve(extracted, annotations, namespace, secrets);
            extracted = CustomHeaderConfigMaps.resolve(extracted, annotations, namespace, configMaps.byName());
            extracted = AuthProxyHeaderConfigMaps.resolve(extracted, annotations, namespace, configMaps.byName());
            extracted = GlobalRateLimitStore.check(extracted, globalRateLimitStore);
        } catch (RuntimeException e) {
            // The rules are null-safe by construction; this is the last line of defence that keeps an unforeseen
            // shape of one object from taking every other Ingress down with it.
            extracted = new IngressRules.Extracted(List.of(), null, List.of(Diagnostic.error("spec",
                    "Ingress could not be translated (" + e + "); nothing of it is served")), RoutePolicies.NONE);
        }
        List<BackendResolver.ServiceUse> uses = backends.stopRecording();
        Map<HostMatch, List<IngressRules.Candidate>> byHost = new LinkedHashMap<>();
        for (IngressRules.Candidate candidate : extracted.candidates()) {
            byHost.computeIfAbsent(candidate.host(), h -> new ArrayList<>()).add(candidate);
        }
        return new Extraction(resourceVersion(ingress), extracted, uses, byHost);
    }

    private static String resourceVersion(Ingress ingress) {
        return ingress.getMetadata() == null ? null : ingress.getMetadata().getResourceVersion();
    }

    private void link(Entry entry, Set<HostMatch> touchedHosts) {
        if (!entry.served()) {
            return;
        }
        for (HostMatch host : entry.extraction().byHost().keySet()) {
            hosts.computeIfAbsent(host, h -> new HostState()).contributors.put(entry.age(), entry);
            touchedHosts.add(host);
        }
        if (entry.catchAllCandidate() && catchAllRefusal(entry) == null) {
            withDefaultBackend.put(entry.age(), entry);
        }
        if (!entry.tls().isEmpty()) {
            withTls.put(entry.age(), entry);
        }
    }

    private void unlink(Entry entry, Set<HostMatch> touchedHosts) {
        if (!entry.served()) {
            return;
        }
        for (HostMatch host : entry.extraction().byHost().keySet()) {
            HostState state = hosts.get(host);
            if (state != null) {
                state.contributors.remove(entry.age());
            }
            touchedHosts.add(host);
        }
        withDefaultBackend.remove(entry.age());
        withTls.remove(entry.age());
    }

    /**
     * Merges one host again: its Ingresses oldest first, each one's paths in the order it lists them, the first claim
     * of a path holding it. Every Ingress of the host gets its report rebuilt: who holds what may have changed.
     */
    private void merge(HostMatch host, TranslationState previous, Set<IngressRef> touchedReports) {
        HostState state = hosts.get(host);
        VirtualHost before = virtualHosts.get(host);
        if (state == null || state.contributors.isEmpty()) {
            hosts.remove(host);
            if (before != null) {
                virtualHosts.remove(host);
                upstreams.release(before);
                virtualHostsChanged = true;
            }
            return;
        }
        // A host some Ingress names in a rule is that Ingress's: server-alias names of other Ingresses (or of the
        // same one) do not add to it, as ingress-nginx drops an alias that is also a server's name. A canary's rule
        // names no host of its own.
        boolean ruleHost = false;
        for (Entry entry : state.contributors.values()) {
            if (entry.canary() == null) {
                for (IngressRules.Candidate candidate : entry.extraction().byHost().get(host)) {
                    ruleHost |= !candidate.alias();
                }
            }
        }
        Map<PathMatch, Route> holders = new HashMap<>();
        UpstreamKey defaultUpstreamKey = null;
        List<Entry> canaries = List.of();
        boolean anyMain = false;
        for (Entry entry : state.contributors.values()) {
            touchedReports.add(entry.ref());
            if (entry.canary() != null) {
                if (canaries.isEmpty()) {
                    canaries = new ArrayList<>();
                }
                canaries.add(entry);
                continue;
            }
            anyMain = true;
            IngressRules.Extracted extracted = entry.extraction().extracted();
            boolean aliasOnly = true;
            for (IngressRules.Candidate candidate : entry.extraction().byHost().get(host)) {
                if (candidate.alias() && ruleHost) {
                    continue;
                }
                aliasOnly &= candidate.alias();
                if (candidate.path() != null && !holders.containsKey(candidate.path())) {
                    holders.put(candidate.path(), new Route(candidate.routeId(), host, candidate.path(), entry.ref(),
                            candidate.upstreamKey(), candidate.redirect() == null ? extracted.policies()
                                    : RoutePolicies.of(candidate.redirect())));
                }
            }
            if (defaultUpstreamKey == null && !(ruleHost && aliasOnly)) {
                defaultUpstreamKey = extracted.defaultUpstreamKey();
            }
        }
        if (!anyMain) {
            // Only canaries name the host: it is nobody's server (ingress-nginx answers 404 there too). The state
            // stays, so that the canaries attach when a main Ingress arrives.
            state.holders = Map.of();
            if (before != null) {
                virtualHosts.remove(host);
                upstreams.release(before);
                virtualHostsChanged = true;
            }
            return;
        }
        for (Entry canary : canaries) {
            CanaryAttachment.attach(canary.ref(), canary.canary(), canary.extraction().byHost().get(host), holders);
        }
        if (defaultUpstreamKey == null && !host.equals(HostMatch.ANY)) {
            // As ingress-nginx's server for a host: what matches none of its paths goes to the configured default
            // backend (else the 404), never to another Ingress's catch-all defaultBackend. (The rules without host
            // are the catch-all server itself: the model's default takes their unmatched requests.)
            defaultUpstreamKey = configuredDefaultKey;
        }
        ClientCertificatePolicy clientCertificates = hostClientCertificates(state);
        if (clientCertificates != null) {
            holders.replaceAll((path, route) -> withPolicy(route, clientCertificates));
        }
        state.holders = VirtualHostMerger.asServed(host, holders);
        VirtualHost reusable = before != null ? before : previous == null ? null : previous.virtualHosts.get(host);
        VirtualHost now = VirtualHostMerger.build(host, state.holders, defaultUpstreamKey, reusable);
        if (now != before) {
            if (before != null) {
                upstreams.release(before);
            }
            upstreams.retain(now);
            virtualHosts.put(host, now);
            virtualHostsChanged = true;
        }
    }

    /**
     * The client certificate authentication of a host, which ingress-nginx applies to the whole host whatever Ingress
     * asks for it: the first unusable one of its Ingresses' (oldest first), so that a broken {@code auth-tls-*} on any
     * of them refuses the host rather than lets it go unauthenticated; else the oldest Ingress's. Null when none asks.
     */
    private static ClientCertificatePolicy hostClientCertificates(HostState state) {
        ClientCertificatePolicy first = null;
        for (Entry entry : state.contributors.values()) {
            if (entry.canary() != null) {
                continue;
            }
            ClientCertificatePolicy policy = entry.extraction().extracted().policies()
                    .get(ClientCertificatePolicy.class);
            if (policy == null) {
                continue;
            }
            if (policy.problem() != null) {
                return policy;
            }
            if (first == null) {
                first = policy;
            }
        }
        return first;
    }

    private static Route withPolicy(Route route, RoutePolicy policy) {
        RoutePolicies policies = route.policies().with(policy);
        return policies.equals(route.policies()) ? route : new Route(route.id(), route.host(), route.path(),
                route.ingress(), route.upstreamKey(), policies);
    }

    /**
     * Why the {@code defaultBackend} of an Ingress may not take requests matching no host (the operator keeps them for
     * the configured default backend, or its namespace may not claim every host), or null when it may. Depends on the
     * settings and the Ingress's namespace only, so it is the same for as long as the entry.
     */
    private String catchAllRefusal(Entry entry) {
        if (configuredDefaultBackendWins) {
            return "the configured default backend takes them (ingress-gateway.default-backend-precedence:"
                    + " configured)";
        }
        String refusal = ownership.catchAllRefusal(entry.ref().namespace());
        return refusal == null ? null : "namespace " + entry.ref().namespace() + " may not claim every host: " + refusal
                + " (ingress-gateway.host-ownership)";
    }

    /**
     * Requests matching no host go to the {@code defaultBackend} of the oldest served Ingress that may take them and
     * has one, else to the configured default backend. When that Ingress changes, every Ingress with a {@code defaultBackend} gets its
     * report rebuilt: their warning names it.
     */
    private void decideGlobalDefault(Set<IngressRef> touchedReports) {
        Entry owner = withDefaultBackend.isEmpty() ? null : withDefaultBackend.firstEntry().getValue();
        IngressRef ownerRef = owner == null ? null : owner.ref();
        UpstreamKey key = owner != null ? owner.defaultUpstreamKey() : configuredDefaultKey;
        if (!Objects.equals(ownerRef, globalDefaultOwner)) {
            for (Entry entry : withDefaultBackend.values()) {
                touchedReports.add(entry.ref());
            }
            globalDefaultOwner = ownerRef;
        }
        if (!Objects.equals(key, globalDefault) || model == null) {
            if (globalDefault != null && model != null) {
                upstreams.release(globalDefault);
            }
            if (key != null) {
                upstreams.retain(key);
            }
            globalDefault = key;
        }
    }

    /** TLS hosts and redirects, from every served Ingress with TLS settings; reports whose TLS warnings changed. */
    private void decideTls(TranslationState previous, Set<IngressRef> touchedReports) {
        List<TlsRules.Reader> readers = new ArrayList<>(withTls.size());
        for (Entry entry : withTls.values()) {
            readers.add(new TlsRules.Reader(entry.ref(), entry.tls(), entry.redirect()));
        }
        TlsRules.Result result = TlsRules.assemble(readers, virtualHosts.values(), virtualHosts::containsKey,
                defaultCertificate);
        Set<IngressRef> warned = new HashSet<>(tls.diagnostics().keySet());
        warned.addAll(result.diagnostics().keySet());
        for (IngressRef ref : warned) {
            if (!Objects.equals(tls.diagnostics().get(ref), result.diagnostics().get(ref))) {
                touchedReports.add(ref);
            }
        }
        TlsModel before = previous != null ? previous.tls.model() : tls.model();
        tls = result.model().equals(before) ? new TlsRules.Result(before, result.diagnostics()) : result;
    }

    private IngressReport report(Entry entry) {
        if (!entry.served()) {
            return IngressReports.notServed(entry.ref(), entry.selection().reason());
        }
        return IngressReports.served(entry.ref(), entry.selection().reason(), entry.extraction().extracted(),
                (host, path) -> hosts.get(host).holders.get(path), entry.catchAllCandidate(), globalDefaultOwner,
                entry.catchAllCandidate() ? catchAllRefusal(entry) : null, tls.diagnosticsOf(entry.ref()));
    }

    /** The model of the current state; parts that did not change are the previous model's instances. */
    private void publish() {
        if (virtualHostsChanged || model == null) {
            virtualHostList = List.copyOf(virtualHosts.values());
        }
        if (reportsChanged || model == null) {
            reportList = List.copyOf(reports.values());
        }
        virtualHostsChanged = false;
        reportsChanged = false;
        model = new RouteModel(virtualHostList, upstreams.publish(), globalDefault, reportList, snapshot.revision(),
                tls.model());
    }
}
