package io.ingressgateway.model.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Response headers a route sets, from the ConfigMap its Ingress names in {@code custom-headers} (ingress-nginx's
 * {@code more_set_headers} per key), with the ConfigMap already read and every name and value checked by the
 * translator. Values are sent as written, never interpreted ({@code $remote_addr} stays that text, as in
 * ingress-nginx).
 *
 * @param configMap {@code namespace/name} of the ConfigMap, or the value as written until the translator resolved it
 * @param headers   header name to value, in the ConfigMap's key order; empty until the translator read the ConfigMap
 * @param problem   why the ConfigMap cannot be used, or null: every request of the route is then answered 503, as
 *                  ingress-nginx denies the location
 */
public record CustomHeadersPolicy(String configMap, Map<String, String> headers, String problem)
        implements RoutePolicy {

    public CustomHeadersPolicy {
        Objects.requireNonNull(configMap, "configMap");
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public CustomHeadersPolicy unusable(String why) {
        return new CustomHeadersPolicy(configMap, Map.of(), why);
    }

    public CustomHeadersPolicy withHeaders(String resolvedConfigMap, Map<String, String> read) {
        return new CustomHeadersPolicy(resolvedConfigMap, read, null);
    }
}
