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
import io.ingressgateway.model.policy.CanaryRules;
import io.ingressgateway.model.policy.RewritePolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.ServiceUpstreamPolicy;
import io.ingressgateway.model.policy.FromToWwwPolicy;
import io.ingressgateway.model.policy.HostRedirectPolicy;
import io.ingressgateway.model.policy.ServerAliasPolicy;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import io.ingressgateway.translate.annotations.AnnotationReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one served Ingress into candidate routes: validated hosts and paths with resolved backends, and diagnostics
 * for whatever had to be dropped. Nothing here looks at other Ingresses; conflicts are settled afterwards.
 */
final class IngressRules {

    /**
     * A rule the Ingress asks for. {@code path} is null for a rule without paths, which still declares its host.
     *
     * @param field where the path sits in the Ingress, for conflict diagnostics
     * @param alias whether the host is one of the Ingress's {@code server-alias} names or a
     *              {@code from-to-www-redirect} counterpart rather than a rule's host
     * @param redirect for a {@code from-to-www-redirect} counterpart, where its requests are redirected; else null
     */
    record Candidate(HostMatch host, PathMatch path, UpstreamKey upstreamKey, String field, String routeId,
                     boolean alias, HostRedirectPolicy redirect) {

        /**
         * {@code routeId} is that of the route this candidate claims (null without a path), computed once: the
         * extraction is remembered, so later translations reuse the same string, whose hash and equality are then
         * free all the way down to the gateway's routes.
         */
        Candidate(HostMatch host, PathMatch path, UpstreamKey upstreamKey, String field) {
            this(host, path, upstreamKey, field, path == null ? null : VirtualHostMerger.routeId(host, path), false,
                    null);
        }

        /** The same rule under an alias host. */
        Candidate under(HostMatch aliasHost, String aliasField) {
            return new Candidate(aliasHost, path, upstreamKey, aliasField,
                    path == null ? null : VirtualHostMerger.routeId(aliasHost, path), true, null);
        }

        /** The redirect route of a {@code from-to-www-redirect} counterpart host: every path, to the rule host. */
        static Candidate redirect(HostMatch counterpart, HostMatch ruleHost, UpstreamKey upstreamKey, String field) {
            PathMatch everything = PathMatch.prefix("/");
            return new Candidate(counterpart, everything, upstreamKey, field,
                    VirtualHostMerger.routeId(counterpart, everything), true,
                    new HostRedirectPolicy(ruleHost.pattern()));
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
        RoutePolicies policies = AnnotatedBackends.resolveDefaultBackend(annotations.policies(), namespace, backends,
                diagnostics);
        IngressSpec spec = ingress.getSpec();
        if (spec == null) {
            diagnostics.add(Diagnostic.warning("spec", "Ingress has no spec; nothing is served"));
            return new Extracted(candidates, null, diagnostics, policies);
        }
        ServiceUpstreamPolicy serviceUpstream = policies.get(ServiceUpstreamPolicy.class);
        boolean canary = policies.get(CanaryRules.class) != null;
        UpstreamKey defaultKey = null;
        if (canary && spec.getDefaultBackend() != null) {
            // ingress-nginx would make it the canary of the catch-all server; here a canary backs rule paths only.
            diagnostics.add(Diagnostic.warning("spec.defaultBackend", "a canary Ingress's defaultBackend is not"
                    + " served: a canary takes requests of main routes with the same host and path only"));
        } else if (spec.getDefaultBackend() != null) {
            BackendResolver.Resolution resolution = backends.resolve(namespace, spec.getDefaultBackend());
            defaultKey = resolution.upstreamKey();
            if (resolution.problem() != null) {
                diagnostics.add(Diagnostic.warning("spec.defaultBackend" + resolution.field(),
                        resolution.problem()));
            } else {
                defaultKey = AnnotatedBackends.serviceAddress(defaultKey, serviceUpstream, backends,
                        "spec.defaultBackend", diagnostics);
            }
        }
        List<IngressRule> rules = spec.getRules() == null ? List.of() : spec.getRules();
        if (rules.isEmpty() && spec.getDefaultBackend() == null) {
            diagnostics.add(Diagnostic.warning("spec", "Ingress has neither rules nor a defaultBackend; nothing is"
                    + " served"));
        }
        RewritePolicy rewrite = policies.get(RewritePolicy.class);
        for (int i = 0; i < rules.size(); i++) {
            readRule(rules.get(i), "spec.rules[" + i + "]", namespace, backends, ownership, rewrite, serviceUpstream,
                    canary, candidates, diagnostics);
        }
        if (canary) {
            // A canary claims no host and no path: only its paths matter, each one offered to the main route with the
            // same host and path when hosts are merged. Server aliases and www redirects are the main Ingress's.
            candidates.removeIf(candidate -> candidate.path() == null);
            if (spec.getTls() != null && !spec.getTls().isEmpty()) {
                diagnostics.add(Diagnostic.warning("spec.tls", "a canary Ingress's tls section is not served: the"
                        + " main Ingress's TLS settings apply to its requests, as in ingress-nginx"));
            }
            return new Extracted(candidates, null, diagnostics, policies);
        }
        ServerAliasPolicy aliases = policies.get(ServerAliasPolicy.class);
        if (aliases != null) {
            addAliases(aliases, namespace, ownership, candidates, diagnostics);
        }
        FromToWwwPolicy fromToWww = policies.get(FromToWwwPolicy.class);
        if (fromToWww != null) {
            addWwwCounterparts(fromToWww, namespace, ownership, candidates, diagnostics);
        }
        return new Extracted(candidates, defaultKey, diagnostics, policies);
    }

    /**
     * Every rule of the Ingress once more under each {@code server-alias} name, as ingress-nginx adds the aliases to
     * the {@code server_name} of each of the Ingress's hosts. An alias must be a host as a rule's host must be, and one
     * its namespace may claim; a rule without host has no server of its own to alias. Whether another Ingress's rule
     * host takes the alias is decided when hosts are merged.
     */
    private static void addAliases(ServerAliasPolicy aliases, String namespace, HostOwnership ownership,
                                   List<Candidate> candidates, List<Diagnostic> diagnostics) {
        String field = AnnotationReader.field(aliases.annotation());
        List<Candidate> ruleCandidates = List.copyOf(candidates);
        Set<HostMatch> ruleHosts = new HashSet<>();
        for (Candidate candidate : ruleCandidates) {
            ruleHosts.add(candidate.host());
        }
        if (ruleHosts.remove(HostMatch.ANY)) {
            diagnostics.add(Diagnostic.warning(field, "a rule without host has no server name to alias; the aliases"
                    + " apply to the rules with a host only"));
        }
        for (String name : aliases.names()) {
            HostRules.Result alias = HostRules.parse(name);
            if (alias.problem() != null) {
                diagnostics.add(Diagnostic.warning(field, "alias '" + name + "' " + alias.problem() + "; alias"
                        + " ignored"));
                continue;
            }
            if (ruleHosts.contains(alias.host())) {
                continue; // already a host of this Ingress: nothing to add
            }
            String refusal = ownership.refusal(namespace, alias.host());
            if (refusal != null) {
                diagnostics.add(Diagnostic.warning(field, "alias " + alias.host() + " may not be claimed by"
                        + " namespace " + namespace + ": " + refusal + " (ingress-gateway.host-ownership); alias"
                        + " ignored"));
                continue;
            }
            for (Candidate candidate : ruleCandidates) {
                if (!candidate.host().equals(HostMatch.ANY)) {
                    candidates.add(candidate.under(alias.host(), field));
                }
            }
        }
    }

    /**
     * For {@code from-to-www-redirect}: each exact rule host's counterpart ({@code www.} added or removed), served as
     * a redirect to the rule host on every path. Like an alias, it gives way to another Ingress's rule host.
     */
    private static void addWwwCounterparts(FromToWwwPolicy policy, String namespace, HostOwnership ownership,
                                           List<Candidate> candidates, List<Diagnostic> diagnostics) {
        String field = AnnotationReader.field(policy.annotation());
        Map<HostMatch, UpstreamKey> ruleHosts = new LinkedHashMap<>();
        for (Candidate candidate : candidates) {
            if (!candidate.alias() && candidate.host().kind() == HostMatch.Kind.EXACT) {
                UpstreamKey key = ruleHosts.get(candidate.host());
                ruleHosts.put(candidate.host(), key != null ? key : candidate.upstreamKey());
            }
        }
        for (Map.Entry<HostMatch, UpstreamKey> rule : ruleHosts.entrySet()) {
            String host = rule.getKey().pattern();
            String other = host.startsWith("www.") ? host.substring(4) : "www." + host;
            HostRules.Result counterpart = HostRules.parse(other);
            if (counterpart.problem() != null || counterpart.host().kind() != HostMatch.Kind.EXACT
                    || ruleHosts.containsKey(counterpart.host()) || rule.getValue() == null) {
                continue; // no valid counterpart, or the Ingress serves it itself, or no path to carry it
            }
            String refusal = ownership.refusal(namespace, counterpart.host());
            if (refusal != null) {
                diagnostics.add(Diagnostic.warning(field, "host " + counterpart.host() + " may not be claimed by"
                        + " namespace " + namespace + ": " + refusal + " (ingress-gateway.host-ownership); no"
                        + " redirect from it"));
                continue;
            }
            candidates.add(Candidate.redirect(counterpart.host(), rule.getKey(), rule.getValue(), field));
        }
    }

    private static void readRule(IngressRule rule, String field, String namespace, BackendResolver backends,
                                 HostOwnership ownership, RewritePolicy rewrite, ServiceUpstreamPolicy serviceUpstream,
                                 boolean canary,
                                 List<Candidate> candidates, List<Diagnostic> diagnostics) {
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
            if (canary && !regex && match.problem() != null) {
                // A canary's own use-regex and rewrite annotations mean nothing (the main Ingress's apply, as in
                // ingress-nginx), so a regex path written without them may still name a main route's expression.
                PathRules.Result asRegex = PathRules.parse(path.getPath(), path.getPathType(), true);
                match = asRegex.problem() == null ? asRegex : match;
            }
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
                UpstreamKey key = backend.problem() != null ? backend.upstreamKey() : AnnotatedBackends.serviceAddress(
                        backend.upstreamKey(), serviceUpstream, backends, pathField + ".backend", diagnostics);
                candidates.add(new Candidate(host.host(), match.match(), key, pathField));
            }
        }
    }
}
