package io.ingressgateway.model.policy;

/**
 * What one annotation family of an Ingress asks of its routes, as a typed, validated, immutable value with value
 * equality (a record). The control plane's parser of the family makes it; the data plane's filter of the family reads
 * it from the route a request matched. Two routes with equal policies are served alike.
 */
public interface RoutePolicy {
}
