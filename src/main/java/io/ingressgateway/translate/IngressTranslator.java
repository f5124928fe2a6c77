package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamPolicy;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.source.ClusterSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Snapshot in, route model out: networking.k8s.io/v1 Ingress semantics. No Spring, no I/O; the model depends on the
 * snapshot alone.
 *
 * <p>Incremental where it pays, with results always equal to translating from scratch: snapshots share unchanged
 * objects with the informer caches, so the translator remembers, by object identity, what it read from each Ingress
 * (valid while every Service that reading consulted is the same object too) and each TLS Secret's parsed certificate.
 * A snapshot whose only change is EndpointSlices keeps the previous model's routes, reports and TLS as they are and
 * only resolves the upstreams' endpoints again: endpoints decide nothing else.
 *
 * <p>Steps: decide which Ingresses are ours ({@link IngressClassSelector}); read each served Ingress on its own
 * ({@link IngressRules}: hosts by {@link HostRules}, paths by {@link PathRules}, backends by
 * {@link BackendResolver}); then merge them, oldest first, into virtual hosts ({@link VirtualHostMerger}).
 *
 * <p>Where the Ingress API leaves choices open, the translator does what an operator coming from ingress-nginx
 * expects:
 * <ul>
 *   <li>The same host in several Ingresses is one virtual host. When two Ingresses claim the same host, path type and
 *       path, the oldest Ingress ({@code creationTimestamp}, then namespace/name) keeps it and the other gets a
 *       warning; inside one Ingress the first occurrence wins.</li>
 *   <li>A path whose Service or port is missing still claims its path and answers 503.</li>
 *   <li>{@code ImplementationSpecific} is an element-wise prefix (see {@link PathRules}).</li>
 *   <li>A virtual host's default backend is the {@code spec.defaultBackend} of the oldest Ingress with rules for that
 *       host that has one. Requests matching no host go to the {@code defaultBackend} of the oldest served Ingress
 *       that has one, else to the configured default backend Service, else to the controller's own 404.</li>
 *   <li>Ingresses that are not ours are reported as not served and otherwise ignored: no routes, no diagnostics.</li>
 *   <li>Guard annotations (timeouts, bulkhead, retries, circuit breaker; {@link UpstreamPolicyAnnotations}) apply
 *       to every route of their Ingress; an invalid one is a warning and its setting keeps the default.</li>
 *   <li>A rule with an invalid host is dropped, a path with an invalid path or backend is dropped; everything else of
 *       the same Ingress is served. No input makes translation fail; one Ingress never affects how another is read.
 *       </li>
 * </ul>
 */
public final class IngressTranslator {

    private final TranslatorSettings settings;
    private final DefaultBackendSetting configuredDefault;
    /** What the last translation read; replaced, never mutated, by each translation. */
    private Memory memory = Memory.EMPTY;

    /** What one Ingress was read into, at which resource version, consulting which Services. */
    private record Remembered(String resourceVersion, IngressRules.Extracted extracted,
                              List<BackendResolver.ServiceUse> uses) {
    }

    /**
     * @param ages creation times by Ingress object (empty when unparseable): parsing timestamps is the costliest part
     *             of ordering thousands of Ingresses
     */
    private record Memory(ClusterSnapshot snapshot, RouteModel model, Map<Ingress, Optional<Instant>> ages,
                          Map<Ingress, Remembered> extractions, Map<Secret, Object> certificates) {
        static final Memory EMPTY = new Memory(null, null, Map.of(), Map.of(), Map.of());

        /** The previous model's virtual hosts by host: unchanged ones are reused as they are. */
        Map<HostMatch, VirtualHost> virtualHosts() {
            if (model == null) {
                return Map.of();
            }
            Map<HostMatch, VirtualHost> byHost = new HashMap<>(model.virtualHosts().size() * 4 / 3 + 1);
            for (VirtualHost host : model.virtualHosts()) {
                byHost.put(host.host(), host);
            }
            return byHost;
        }
    }

    public IngressTranslator(TranslatorSettings settings) {
        this.settings = settings;
        this.configuredDefault = DefaultBackendSetting.parse(settings.defaultBackendService());
    }

    /** Translates a snapshot. Calls are serialised; the pipeline makes them from one thread anyway. */
    public synchronized RouteModel translate(ClusterSnapshot snapshot) {
        Memory previous = memory;
        if (previous.snapshot() != null && onlyEndpointSlicesDiffer(previous.snapshot(), snapshot)) {
            RouteModel model = withEndpointsOf(previous.model(), snapshot);
            memory = new Memory(snapshot, model, previous.ages(), previous.extractions(), previous.certificates());
            return model;
        }
        int capacity = snapshot.ingresses().size() * 4 / 3 + 1;
        Map<Ingress, Optional<Instant>> ages = new IdentityHashMap<>(capacity);
        Map<Ingress, Remembered> extractions = new IdentityHashMap<>(capacity);
        Map<Secret, Object> certificates = new IdentityHashMap<>();
        RouteModel model = translate(snapshot, previous, ages, extractions, certificates);
        memory = new Memory(snapshot, model, ages, extractions, certificates);
        return model;
    }

    /**
     * A full translation; fills {@code ages}, {@code extractions} (what was read from each served Ingress) and
     * {@code certificates} (what was parsed from each Secret) for the next translation.
     */
    private RouteModel translate(ClusterSnapshot snapshot, Memory previous, Map<Ingress, Optional<Instant>> ages,
                                 Map<Ingress, Remembered> extractions, Map<Secret, Object> certificates) {
        IngressClassSelector selector = new IngressClassSelector(settings.ingressClass(), settings.controllerName(),
                snapshot.ingressClasses());
        BackendResolver backends = new BackendResolver(snapshot.services(), snapshot.endpointSlices());
        // With the very same Services, every remembered extraction still holds: no per-Ingress check at all.
        boolean sameServices = previous.snapshot() != null
                && sameObjects(previous.snapshot().services(), snapshot.services());
        VirtualHostMerger merger = new VirtualHostMerger();

        List<Ingress> ingresses = IngressOrder.oldestFirst(snapshot.ingresses(), ingress -> {
            Optional<Instant> age = previous.ages().get(ingress);
            if (age == null) {
                age = Optional.ofNullable(IngressOrder.createdAt(ingress));
            }
            ages.put(ingress, age);
            return age.orElse(null);
        });

        List<ReportBuilder> reports = new ArrayList<>(ingresses.size());
        List<Ingress> served = new ArrayList<>(ingresses.size());
        String globalDefault = null;
        IngressRef globalDefaultOwner = null;
        for (Ingress ingress : ingresses) {
            IngressRef ref = IngressOrder.ref(ingress);
            IngressClassSelector.Selection selection = selector.select(ingress);
            ReportBuilder report = new ReportBuilder(ref, selection);
            reports.add(report);
            if (!selection.served()) {
                continue;
            }
            served.add(ingress);
            IngressRules.Extracted extracted = extract(ingress, backends, sameServices, previous.extractions(),
                    extractions);
            report.diagnostics.addAll(extracted.diagnostics());
            merge(ref, extracted, merger, report);
            if (extracted.defaultUpstreamKey() != null) {
                if (globalDefault == null) {
                    globalDefault = extracted.defaultUpstreamKey();
                    globalDefaultOwner = ref;
                } else {
                    report.diagnostics.add(Diagnostic.warning("spec.defaultBackend", "requests matching no host go"
                            + " to the defaultBackend of Ingress " + globalDefaultOwner + ", which takes precedence"
                            + " (created earlier, or same age and first by namespace/name); this one"
                            + " only applies to hosts of which this Ingress is the oldest with a defaultBackend"));
                }
            }
        }
        if (globalDefault == null && configuredDefault != null) {
            globalDefault = backends.resolve(configuredDefault.namespace(), configuredDefault.service(),
                    configuredDefault.port());
        }

        List<VirtualHost> virtualHosts = merger.build(previous.virtualHosts());
        TlsRules.Result tls = TlsRules.resolve(served, snapshot.secrets(), virtualHosts, previous.certificates(),
                certificates);
        Map<String, Upstream> upstreams = new HashMap<>();
        for (VirtualHost host : virtualHosts) {
            for (Route route : host.routes()) {
                addUpstream(upstreams, backends, route.upstreamKey());
            }
            addUpstream(upstreams, backends, host.defaultUpstreamKey());
        }
        addUpstream(upstreams, backends, globalDefault);

        List<IngressReport> ingressReports = new ArrayList<>(reports.size());
        for (ReportBuilder report : reports) {
            report.diagnostics.addAll(tls.diagnosticsOf(report.ref));
            ingressReports.add(report.build());
        }
        ingressReports.sort((a, b) -> a.ingress().compareTo(b.ingress()));
        return new RouteModel(virtualHosts, upstreams, globalDefault, ingressReports, snapshot.revision(),
                tls.model());
    }

    /**
     * Reads one Ingress, or reuses what the previous translation read from the very same object when every Service it
     * consulted is unchanged too.
     */
    private static IngressRules.Extracted extract(Ingress ingress, BackendResolver backends, boolean sameServices,
                                                  Map<Ingress, Remembered> before, Map<Ingress, Remembered> now) {
        String version = ingress.getMetadata() == null ? null : ingress.getMetadata().getResourceVersion();
        Remembered remembered = before.get(ingress);
        if (remembered != null && Objects.equals(remembered.resourceVersion(), version)
                && (sameServices || backends.stillValid(remembered.uses()))) {
            now.put(ingress, remembered);
            return remembered.extracted();
        }
        backends.startRecording();
        IngressRules.Extracted extracted = extract(ingress, backends);
        List<BackendResolver.ServiceUse> uses = backends.stopRecording();
        // Reused extractions have their upstreams resolved from their keys; one whose keys cannot be read back (only
        // invalid names do that) is read again each time instead.
        if (BackendResolver.keysAreParseable(uses)) {
            now.put(ingress, new Remembered(version, extracted, uses));
        }
        return extracted;
    }

    /**
     * Reads one Ingress. The rules are null-safe by construction; the catch is the last line of defence that keeps
     * an unforeseen shape of one object from taking every other Ingress down with it.
     */
    private static IngressRules.Extracted extract(Ingress ingress, BackendResolver backends) {
        try {
            return IngressRules.extract(ingress, backends);
        } catch (RuntimeException e) {
            return new IngressRules.Extracted(List.of(), null, List.of(Diagnostic.error("spec",
                    "Ingress could not be translated (" + e + "); nothing of it is served")), UpstreamPolicy.DEFAULTS);
        }
    }

    /** Whether two snapshots hold the very same objects in the same order, EndpointSlices aside. */
    private static boolean onlyEndpointSlicesDiffer(ClusterSnapshot before, ClusterSnapshot after) {
        return sameObjects(before.ingresses(), after.ingresses())
                && sameObjects(before.ingressClasses(), after.ingressClasses())
                && sameObjects(before.services(), after.services())
                && sameObjects(before.secrets(), after.secrets());
    }

    private static boolean sameObjects(List<?> before, List<?> after) {
        if (before == after) {
            return true;
        }
        if (before.size() != after.size()) {
            return false;
        }
        for (int i = 0; i < before.size(); i++) {
            if (before.get(i) != after.get(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The previous model with each upstream's endpoints read from this snapshot's EndpointSlices. Everything else in
     * a model (routes, defaults, diagnostics, TLS) is decided by Ingresses, IngressClasses, Services and Secrets.
     */
    private static RouteModel withEndpointsOf(RouteModel previous, ClusterSnapshot snapshot) {
        BackendResolver backends = new BackendResolver(snapshot.services(), snapshot.endpointSlices());
        Map<String, Upstream> upstreams = new HashMap<>(previous.upstreams().size() * 4 / 3 + 1);
        for (Upstream upstream : previous.upstreams().values()) {
            String key = backends.resolve(upstream.namespace(), upstream.service(), upstream.port());
            Upstream now = backends.upstream(key);
            // Unchanged endpoints keep the previous instance: listeners comparing upstreams see no change.
            upstreams.put(key, now.equals(upstream) ? upstream : now);
        }
        return new RouteModel(previous.virtualHosts(), upstreams, previous.defaultUpstreamKey(), previous.ingresses(),
                snapshot.revision(), previous.tls());
    }

    private static void merge(IngressRef ref, IngressRules.Extracted extracted, VirtualHostMerger merger,
                              ReportBuilder report) {
        Set<HostMatch> hosts = new LinkedHashSet<>();
        for (IngressRules.Candidate candidate : extracted.candidates()) {
            hosts.add(candidate.host());
            if (candidate.path() == null) {
                merger.addHost(candidate.host());
                continue;
            }
            Route holder = merger.claim(candidate.routeId(), candidate.host(), candidate.path(), ref,
                    candidate.upstreamKey(), extracted.policy());
            if (holder == null) {
                report.routeIds.add(candidate.routeId());
            } else if (report.routeIds.contains(holder.id()) && holder.ingress().equals(ref)) {
                report.diagnostics.add(Diagnostic.warning(candidate.field(), "duplicate of an earlier path ("
                        + candidate.path() + ") for host " + candidate.host() + " in this Ingress; the first one"
                        + " wins"));
            } else {
                report.diagnostics.add(Diagnostic.warning(candidate.field(), "host " + candidate.host() + " path "
                        + candidate.path() + " is already served by Ingress " + holder.ingress()
                        + ", which takes precedence (created earlier, or same age and first by namespace/name);"
                        + " this path is ignored"));
            }
        }
        if (extracted.defaultUpstreamKey() != null) {
            for (HostMatch host : hosts) {
                merger.offerDefault(host, extracted.defaultUpstreamKey());
            }
        }
    }

    private static void addUpstream(Map<String, Upstream> upstreams, BackendResolver backends, String key) {
        if (key != null) {
            upstreams.computeIfAbsent(key, backends::upstream);
        }
    }

    private static final class ReportBuilder {
        final IngressRef ref;
        final IngressClassSelector.Selection selection;
        final List<Diagnostic> diagnostics = new ArrayList<>();
        final Set<String> routeIds = new LinkedHashSet<>();

        ReportBuilder(IngressRef ref, IngressClassSelector.Selection selection) {
            this.ref = ref;
            this.selection = selection;
        }

        IngressReport build() {
            return new IngressReport(ref, selection.served(), selection.reason(), diagnostics,
                    List.copyOf(routeIds));
        }
    }
}
