package io.ingressgateway.gateway.route;

import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.CanaryPolicy;
import org.springframework.web.server.ServerWebExchange;

/**
 * Whether a request goes to its route's canary rather than to the main backend: decided once per request, before the
 * guard admits it, and honoured by every filter that resolves the route's upstream (the guard of the canary
 * Ingress's upstream, the canary's endpoints).
 */
public final class CanarySelection {

    /** Exchange attribute: the route's {@link CanaryPolicy} when the request goes to the canary; absent otherwise. */
    public static final String ATTR = CanarySelection.class.getName();

    private CanarySelection() {
    }

    /** The canary's upstream. */
    public static UpstreamKey upstreamKey(CanaryPolicy canary) {
        return new UpstreamKey(canary.namespace(), canary.service(), canary.port());
    }

    /** The canary Ingress, whose guard its requests are admitted to. */
    public static IngressRef ingress(CanaryPolicy canary) {
        return new IngressRef(canary.namespace(), canary.ingress());
    }

    /** Sends the request to the canary. */
    public static void choose(ServerWebExchange exchange, CanaryPolicy canary) {
        exchange.getAttributes().put(ATTR, canary);
    }

    /** The canary the request goes to, or null when it goes to the main backend. */
    public static CanaryPolicy of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTR);
    }
}
