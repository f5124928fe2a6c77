package io.ingressgateway.model.policy;

import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;
import java.util.Objects;

/**
 * The canary of a main route: another Ingress ({@code canary: "true"}) with a rule for the same host, path type and
 * path, whose backend takes the requests its {@link CanaryRules} select. Such a request goes to the canary's upstream
 * under the canary Ingress's own guard (its bulkhead and circuit); every other setting of the route is the main
 * Ingress's, as in ingress-nginx, where a canary inherits the main Ingress's annotations.
 *
 * @param ingress     the canary Ingress
 * @param upstreamKey the canary's backend
 * @param rules       which requests it takes
 */
public record CanaryPolicy(IngressRef ingress, UpstreamKey upstreamKey, CanaryRules rules) implements RoutePolicy {

    public CanaryPolicy {
        Objects.requireNonNull(ingress, "ingress");
        Objects.requireNonNull(upstreamKey, "upstreamKey");
        Objects.requireNonNull(rules, "rules");
    }
}
