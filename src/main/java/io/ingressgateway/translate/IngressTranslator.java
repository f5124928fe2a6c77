package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import java.util.Map;

/**
 * Snapshot in, route model out: networking.k8s.io/v1 Ingress semantics. No Spring, no I/O; the model depends on the
 * snapshot alone.
 *
 * <p>Incremental, with results always equal to translating from scratch ({@link TranslationState}): a change to some
 * Ingresses reads only those again and merges again only the hosts they name; a snapshot whose only change is
 * EndpointSlices only resolves the upstreams' endpoints again. Snapshots share unchanged objects with the informer
 * caches, so what was read from an object is reused, by object identity, for as long as the object (and every
 * Service or Secret that reading consulted) stays the same.
 *
 * <p>Steps: decide which Ingresses are ours ({@link IngressClassSelector}); read each served Ingress on its own
 * ({@link IngressRules}: hosts by {@link HostRules}, paths by {@link PathRules}, backends by
 * {@link BackendResolver}; TLS by {@link TlsRules}); then merge them, host by host and oldest first, into virtual
 * hosts ({@link VirtualHostMerger}).
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
 *       host that has one, else the configured default backend Service, else the controller's own 404. Requests
 *       matching no host go to the {@code defaultBackend} of the oldest served Ingress without rules that has one
 *       (ingress-nginx's catch-all), else to the configured default backend Service, else to the 404. The operator
 *       can keep those requests for the configured default backend
 *       ({@link TranslatorSettings#configuredDefaultBackendWins()}).</li>
 *   <li>Without host ownership rules any namespace may claim any host (as in ingress-nginx); with them, a rule or TLS
 *       host that its namespace may not claim is dropped with a warning ({@link HostOwnership}).</li>
 *   <li>Ingresses that are not ours are reported as not served and otherwise ignored: no routes, no diagnostics.</li>
 *   <li>Annotations are read by their families ({@link AnnotationFamilies}) into policies that apply to every route
 *       of their Ingress; an invalid one is a warning and its setting keeps the default. Every other key under
 *       ingress-nginx's prefix or ours is a warning too, saying whether ingress-nginx knows it and what the gateway
 *       does instead (no effect, refused snippet, unsupported, unknown).</li>
 *   <li>A canary Ingress ({@code canary: "true"}) claims no host nor path: each of its paths is attached to the main
 *       route with the same host, path type and path ({@link CanaryAttachment}), the oldest canary per route; a path
 *       with no such route is a warning.</li>
 *   <li>A rule with an invalid host is dropped, a path with an invalid path or backend is dropped; everything else of
 *       the same Ingress is served. No input makes translation fail; one Ingress never affects how another is read.
 *       </li>
 * </ul>
 */
public final class IngressTranslator {

    private final TranslatorSettings settings;
    private final DefaultBackendSetting configuredDefault;
    private final HostOwnership ownership;
    private final AnnotationFamilies families = AnnotationFamilies.standard();
    /** What the last translation worked out; null before the first and after one that failed. */
    private TranslationState state;

    /** @throws IllegalArgumentException when a host ownership rule is not valid */
    public IngressTranslator(TranslatorSettings settings) {
        this.settings = settings;
        this.configuredDefault = DefaultBackendSetting.parse(settings.defaultBackendService());
        this.ownership = HostOwnership.of(settings.hostOwnership());
    }

    /** Translates a snapshot. Calls are serialised; the pipeline makes them from one thread anyway. */
    public synchronized RouteModel translate(ClusterSnapshot snapshot) {
        TranslationState previous = state;
        // Until this translation succeeds there is no state to build on: one that fails midway may have left it
        // half-updated, and the next translation then starts from scratch.
        state = null;
        if (previous != null && previous.canUpdateTo(snapshot)) {
            Map<IngressRef, Ingress> changes = previous.ingressChanges(snapshot.ingresses());
            if (changes != null) {
                previous.update(snapshot, changes);
                state = previous;
                return previous.model();
            }
        }
        TranslationState built = TranslationState.build(settings, configuredDefault, ownership, families, snapshot,
                previous);
        state = built;
        return built.model();
    }
}
