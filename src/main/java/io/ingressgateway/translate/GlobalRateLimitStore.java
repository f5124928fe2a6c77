package io.ingressgateway.translate;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.GlobalRateLimitPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.GlobalRateLimitAnnotations;
import java.util.ArrayList;
import java.util.List;

/**
 * Global rate limits need a store shared by the replicas (Redis). Without one configured, an Ingress asking for a
 * global limit is served without it and says so: a limit each replica counted alone would let through as many times
 * the limit as there are replicas, which is not what the annotation promises (ingress-nginx, without memcached, also
 * served it unlimited; its admission webhook refused such Ingresses).
 */
final class GlobalRateLimitStore {

    private GlobalRateLimitStore() {
    }

    static IngressRules.Extracted check(IngressRules.Extracted extracted, boolean storeConfigured) {
        if (storeConfigured || extracted.policies().get(GlobalRateLimitPolicy.class) == null) {
            return extracted;
        }
        List<Diagnostic> diagnostics = new ArrayList<>(extracted.diagnostics());
        diagnostics.add(Diagnostic.warning(AnnotationReader.field(AnnotationReader.NGINX_PREFIX
                        + GlobalRateLimitAnnotations.LIMIT),
                "the global rate limit is not applied: this gateway has no Redis configured to share counters"
                        + " between replicas (ingress-gateway.global-rate-limit.redis.url); requests are served"
                        + " without it"));
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies());
    }
}
