package io.ingressgateway.translate;

import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.CanaryPolicy;
import io.ingressgateway.model.policy.CanaryRules;
import io.ingressgateway.model.policy.HostRedirectPolicy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Attaches a canary Ingress's paths to the main routes of one host, as ingress-nginx merges a canary's backend into
 * the main backend of the location with the same host, path and path type. A canary takes nothing of its own: a path
 * with no main route, a main route that already has a canary (ingress-nginx honours one per rule: the first, here
 * the oldest canary Ingress), one whose backend is the canary's own Service, or a www redirect route, is left as it is,
 * and the canary's report says why ({@link #outcome}).
 */
final class CanaryAttachment {

    private CanaryAttachment() {
    }

    /** The canary's upstream, as the model names upstreams. */
    static UpstreamKey upstreamKey(CanaryPolicy canary) {
        return new UpstreamKey(canary.namespace(), canary.service(), canary.port());
    }

    private static CanaryPolicy policy(IngressRef canary, UpstreamKey upstreamKey, CanaryRules rules) {
        return new CanaryPolicy(canary.namespace(), canary.name(), upstreamKey.service(), upstreamKey.port(), rules);
    }

    /**
     * Attaches each of the canary's paths on this host to the route holding the same path, in {@code holders} (paths
     * claimed by main Ingresses, before they are turned into served routes).
     */
    static void attach(IngressRef canary, CanaryRules rules, List<IngressRules.Candidate> candidates,
                       Map<PathMatch, Route> holders) {
        for (IngressRules.Candidate candidate : candidates) {
            if (candidate.path() == null) {
                continue;
            }
            Route main = mainRoute(holders::get, candidate.path());
            if (main == null || outcome(canary, candidate, main) != null
                    || main.policies().get(CanaryPolicy.class) != null) {
                continue;
            }
            holders.put(main.path(), new Route(main.id(), main.host(), main.path(), main.ingress(),
                    main.upstreamKey(), main.policies().with(policy(canary, candidate.upstreamKey(), rules))));
        }
    }

    /**
     * The main route for a canary's path: the one holding the same path match, else, where one of the two Ingresses
     * turns regex on and the other does not, the one whose path is the same text (ingress-nginx compares the paths as
     * written; here a regex Ingress's paths are expressions whatever their type).
     */
    static Route mainRoute(Function<PathMatch, Route> holderOf, PathMatch path) {
        Route main = holderOf.apply(path);
        if (main != null) {
            return main;
        }
        if (path.type() != PathMatch.Type.REGEX) {
            return holderOf.apply(PathMatch.regex(path.path()));
        }
        main = holderOf.apply(PathMatch.prefix(path.path()));
        return main != null ? main : holderOf.apply(PathMatch.exact(path.path()));
    }

    /**
     * Why a canary's path is not attached to {@code main} (the route holding its host and path after merging, or
     * null when there is none), or null when it is attached to it.
     */
    static String outcome(IngressRef canary, IngressRules.Candidate candidate, Route main) {
        if (main == null) {
            return "no main Ingress serves host " + candidate.host() + " path " + candidate.path() + " (the same"
                    + " path and pathType); this canary path is ignored";
        }
        if (main.policies().get(HostRedirectPolicy.class) != null) {
            return "host " + candidate.host() + " is a www redirect of Ingress " + main.ingress() + "; this canary"
                    + " path is ignored";
        }
        if (main.upstreamKey().equals(candidate.upstreamKey())) {
            return "the main route of host " + candidate.host() + " path " + candidate.path() + " (Ingress "
                    + main.ingress() + ") already goes to " + candidate.upstreamKey() + "; this canary path is"
                    + " ignored";
        }
        CanaryPolicy attached = main.policies().get(CanaryPolicy.class);
        if (attached == null) {
            return null; // not yet attached: asked while attaching
        }
        IngressRef attachedIngress = new IngressRef(attached.namespace(), attached.ingress());
        if (attachedIngress.equals(canary) && upstreamKey(attached).equals(candidate.upstreamKey())) {
            return null;
        }
        return "host " + candidate.host() + " path " + candidate.path() + " of Ingress " + main.ingress()
                + " already has canary Ingress " + attachedIngress + " (" + upstreamKey(attached) + "); one canary"
                + " per path is honoured, the oldest, as in ingress-nginx; this canary path is ignored";
    }
}
