package io.ingressgateway.model.policy;

import java.util.Objects;

/**
 * The canary of a main route: another Ingress ({@code canary: "true"}) with a rule for the same host, path type and
 * path, whose backend takes the requests its {@link CanaryRules} select. Such a request goes to the canary's upstream
 * under the canary Ingress's own guard (its bulkhead and circuit); every other setting of the route is the main
 * Ingress's, as in ingress-nginx, where a canary inherits the main Ingress's annotations.
 *
 * <p>Names are kept as text (policies depend on nothing else of the model): the canary Ingress is
 * {@code namespace/ingress}, its upstream the Service port {@code namespace/service:port}, in the Ingress's namespace
 * as every backend of an Ingress is.
 *
 * @param namespace the canary Ingress's namespace, which is its Service's
 * @param ingress   the canary Ingress's name
 * @param service   the canary backend's Service
 * @param port      that Service's port as the canary Ingress writes it (digits for a number, else its name)
 * @param rules     which requests it takes
 */
public record CanaryPolicy(String namespace, String ingress, String service, String port, CanaryRules rules)
        implements RoutePolicy {

    public CanaryPolicy {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(ingress, "ingress");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(rules, "rules");
    }
}
