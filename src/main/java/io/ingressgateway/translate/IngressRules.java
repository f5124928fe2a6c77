package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.RewritePolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one served Ingress into candidate routes: validated hosts and paths with resolved backends, and diagnostics
 * for whatever had to be dropped. Nothing here looks at other Ingresses; conflicts are settled afterwards.
 */
final class IngressRules {

    /**
     * A rule the Ingress asks for. {@code path} is null for a rule without paths, which still declares its host.
     *
     * @param field where the path sits in the Ingress, for conflict diagnostics
     */
    record Candidate(HostMatch host, PathMatch path, UpstreamKey upstreamKey, String field, String routeId) {

        /**
         * {@code routeId} is that of the route this candidate claims (null without a path), computed once: the
         * extraction is remembered, so later translations reuse the same string, whose hash and equality are then
         * free all the way down to the gateway's routes.
         */
        Candidate(HostMatch host, PathMatch path, UpstreamKey upstreamKey, String field) {
            this(host, path, upstreamKey, field, path == null ? null : VirtualHostMerger.routeId(host, path));
        }
    }

    /**
     * Everything one Ingress contributes, before conflicts with other Ingresses.
     *
     * @param policies what its annotations ask for, applied to every route of this Ingress
     */
    record Extracted(List<Candidate> candidates, UpstreamKey defaultUpstreamKey, List<Diagnostic> diagnostics,
                     RoutePolicies policies) {

        Extracted {
            // Immutable: an extraction is remembered and reused by later translations.
            candidates = List.copyOf(candidates);
            diagnostics = List.copyOf(diagnostics);
        }
    }

    private IngressRules() {
    }

    static Extracted extract(Ingress ingress, BackendResolver backends, AnnotationFamilies families,
                             HostOwnership ownership) {
        String namespace = IngressOrder.namespace(ingress);
        List<Candidate> candidates = new ArrayList<>();
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationFamilies.Read annotations = families.read(
                ingress.getMetadata() == null ? null : ingress.getMetadata().getAnnotations());
        diagnostics.addAll(annotations.diagnostics());
        IngressSpec spec = ingress.getSpec();
        if (spec == null) {
            diagnostics.add(Diagnostic.warning("spec", "Ingress has no spec; nothing is served"));
            return new Extracted(candidates, null, diagnostics, annotations.policies());
        }
        UpstreamKey defaultKey = null;
        if (spec.getDefaultBackend() != null) {
            BackendResolver.Resolution resolution = backends.resolve(namespace, spec.getDefaultBackend());
            defaultKey = resolution.upstreamKey();
            if (resolution.problem() != null) {
                diagnostics.add(Diagnostic.warning("spec.defaultBackend" + resolution.field(),
                        resolution.problem()));
            }
        }
        List<IngressRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
        if (rules.isEmpty() && spec.getDefaultBackend() == null) {
            diagnostics.add(Diagnostic.warning("spec", "Ingress has neither rules nor a defaultBackend; nothing is"
                    + " served"));
        }
        RewritePolicy rewrite = annotations.policies().get(RewritePolicy.class);
        for (int i = 0; i < rules.size(); i++) {
            readRule(rules.get(i), "spec.rules[" + i + "]", namespace, backends, ownership, rewrite, candidates,
                    diagnostics);
        }
        return new Extracted(candidates, defaultKey, diagnostics, annotations.policies());
    }

    private static void readRule(IngressRule rule, String field, String namespace, BackendResolver backends,
                                 HostOwnership ownership, RewritePolicy rewrite, List<Candidate> candidates,
                                 List<Diagnostic> diagnostics) {
        if (rule == null) {
            diagnostics.add(Diagnostic.warning(field, "rule is empty; ignored"));
            return;
        }
        HostRules.Result host = HostRules.parse(rule.getHost());
        if (host.problem() != null) {
            diagnostics.add(Diagnostic.warning(field + ".host", "host '" + rule.getHost() + "' "
                    + host.problem() + "; rule ignored"));
            return;
        }
        String refusal = ownership.refusal(namespace, host.host());
        if (refusal != null) {
            diagnostics.add(Diagnostic.warning(field + ".host", "host " + host.host() + " may not be claimed by"
                    + " namespace " + namespace + ": " + refusal + " (ingress-gateway.host-ownership); rule ignored"));
            return;
        }
        HTTPIngressRuleValue http = rule.getHttp();
        List<HTTPIngressPath> paths = http == null || http.getPaths() == null ? List.of() : http.getPaths();
        // A host without paths is still a virtual host: its requests go to the default backend, as in ingress-nginx.
        candidates.add(new Candidate(host.host(), null, null, field));
        for (int j = 0; j < paths.size(); j++) {
            String pathField = field + ".http.paths[" + j + "]";
            HTTPIngressPath path = paths.get(j);
            if (path == null) {
                diagnostics.add(Diagnostic.warning(pathField, "path is empty; ignored"));
                continue;
            }
            String written = path.getPath() == null || path.getPath().isEmpty() ? "/" : path.getPath();
            boolean regex = rewrite != null && rewrite.regexFor(written);
            PathRules.Result match = PathRules.parse(path.getPath(), path.getPathType(), regex);
            if (match.problem() != null) {
                diagnostics.add(Diagnostic.warning(pathField + "." + match.field(), match.problem() + "; path ignored"));
                continue;
            }
            BackendResolver.Resolution backend = backends.resolve(namespace, path.getBackend());
            if (backend.problem() != null) {
                diagnostics.add(Diagnostic.warning(pathField + ".backend" + backend.field(), backend.problem()
                        + (backend.upstreamKey() == null ? "; path ignored" : "")));
            }
            if (backend.upstreamKey() != null) {
                candidates.add(new Candidate(host.host(), match.match(), backend.upstreamKey(), pathField));
            }
        }
    }
}
