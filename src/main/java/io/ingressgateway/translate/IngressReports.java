package io.ingressgateway.translate;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.policy.CanaryRules;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/** Writes the report of one Ingress: what the gateway made of it, in words an operator can act on. */
final class IngressReports {

    private IngressReports() {
    }

    static IngressReport notServed(IngressRef ref, String reason) {
        return new IngressReport(ref, false, reason, List.of(), List.of());
    }

    /**
     * A served Ingress's report: what reading it said, then the outcome of each of its paths in the order it lists
     * them (held, or held by an older Ingress, or a duplicate of its own earlier path), then the global default
     * backend, then TLS.
     *
     * @param holderOf           the route that holds a host's path after merging
     * @param catchAllCandidate  whether this Ingress's {@code defaultBackend} could take requests matching no host (it
     *                           has one, and no rules)
     * @param globalDefaultOwner the Ingress whose {@code defaultBackend} takes requests matching no host, or null
     * @param catchAllRefusal    why this Ingress's {@code defaultBackend} may not take requests matching no host, or
     *                           null when it may
     * @param tlsDiagnostics     what TLS assembly said about this Ingress
     */
    static IngressReport served(IngressRef ref, String reason, IngressRules.Extracted extracted,
                                BiFunction<HostMatch, PathMatch, Route> holderOf, boolean catchAllCandidate,
                                IngressRef globalDefaultOwner,
                                String catchAllRefusal, List<Diagnostic> tlsDiagnostics) {
        List<Diagnostic> diagnostics = new ArrayList<>(extracted.diagnostics());
        Set<String> routeIds = new LinkedHashSet<>();
        Set<HostMatch> refusedAliases = new LinkedHashSet<>();
        boolean canary = extracted.policies().get(CanaryRules.class) != null;
        for (IngressRules.Candidate candidate : extracted.candidates()) {
            if (candidate.path() == null) {
                continue;
            }
            Route holder = holderOf.apply(candidate.host(), candidate.path());
            if (canary) {
                Route main = CanaryAttachment.mainRoute(path -> holderOf.apply(candidate.host(), path),
                        candidate.path());
                String outcome = CanaryAttachment.outcome(ref, candidate, main);
                if (outcome != null) {
                    diagnostics.add(Diagnostic.warning(candidate.field(), outcome));
                }
                continue;
            }
            if (candidate.alias() && (holder == null || !holder.ingress().equals(ref))) {
                // Said once per alias: another Ingress has it as a rule host, or claimed its paths first.
                if (refusedAliases.add(candidate.host())) {
                    String what = candidate.redirect() != null ? "redirect host " : "alias ";
                    diagnostics.add(Diagnostic.warning(candidate.field(), holder == null
                            ? what + candidate.host() + " is a rule host of another Ingress, which takes"
                                    + " precedence; ignored"
                            : what + candidate.host() + " is not served from this Ingress where Ingress "
                                    + holder.ingress() + " serves it (a rule host takes precedence over an alias;"
                                    + " between aliases, the older Ingress's)"));
                }
                continue;
            }
            if (holder.ingress().equals(ref) && routeIds.add(holder.id())) {
                continue;
            }
            if (holder.ingress().equals(ref)) {
                diagnostics.add(Diagnostic.warning(candidate.field(), "duplicate of an earlier path ("
                        + candidate.path() + ") for host " + candidate.host() + " in this Ingress; the first one"
                        + " wins"));
            } else {
                diagnostics.add(Diagnostic.warning(candidate.field(), "host " + candidate.host() + " path "
                        + candidate.path() + " is already served by Ingress " + holder.ingress()
                        + ", which takes precedence (created earlier, or same age and first by namespace/name);"
                        + " this path is ignored"));
            }
        }
        if (catchAllCandidate && catchAllRefusal != null) {
            diagnostics.add(Diagnostic.warning("spec.defaultBackend", "requests matching no host do not go to this"
                    + " defaultBackend: " + catchAllRefusal + "; it only applies to this Ingress's own hosts"));
        } else if (catchAllCandidate && !ref.equals(globalDefaultOwner)) {
            diagnostics.add(Diagnostic.warning("spec.defaultBackend", "requests matching no host go"
                    + " to the defaultBackend of Ingress " + globalDefaultOwner + ", which takes precedence"
                    + " (created earlier, or same age and first by namespace/name); this one"
                    + " takes nothing"));
        }
        diagnostics.addAll(tlsDiagnostics);
        return new IngressReport(ref, true, reason, diagnostics, List.copyOf(routeIds));
    }
}
