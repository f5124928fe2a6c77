package io.ingressgateway.gateway;

import io.ingressgateway.gateway.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.PathMatch;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one gateway route is, apart from its position: everything its predicate and metadata are made from. Two
 * equal definitions make interchangeable routes, so a route whose definition did not change between two models is
 * kept as it is ({@link IngressRouteLocator}).
 *
 * @param id              the route id (the model's route id, or one of the fixed default and not-found ids)
 * @param kind            rule, default or not-found
 * @param predicateHosts  the {@code IngressRule} predicate's host patterns, comma-separated ({@code *} for any)
 * @param path            the predicate's path
 * @param upstreamKey     the upstream requests go to (null for not-found)
 * @param host            for a rule, its host pattern as written in the metadata ({@code *} for any)
 * @param ingress         for a rule, the Ingress it comes from (may be null)
 * @param defaultForHosts for a default, the host patterns whose unmatched requests it takes
 * @param modelDefault    for a default, whether it also takes requests that match no virtual host
 */
public record IngressRouteDefinition(String id, Kind kind, String predicateHosts, PathMatch path, String upstreamKey,
                                     String host, IngressRef ingress, List<String> defaultForHosts,
                                     boolean modelDefault) {

    public IngressRouteDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(predicateHosts, "predicateHosts");
        Objects.requireNonNull(path, "path");
        defaultForHosts = defaultForHosts == null ? List.of() : List.copyOf(defaultForHosts);
    }

    public URI uri() {
        return kind == Kind.NOT_FOUND ? IngressRouteDefinitions.NOT_FOUND_URI : IngressRouteDefinitions.UPSTREAM_URI;
    }

    /** The gateway route's metadata: what the indexed lookup and the routing filters read. */
    public Map<String, Object> metadata() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(IngressRouteDefinitions.KIND, kind.name());
        switch (kind) {
            case RULE -> {
                metadata.put(IngressRouteDefinitions.UPSTREAM, upstreamKey);
                metadata.put(IngressRouteDefinitions.HOST, host);
                metadata.put(IngressRouteDefinitions.PATH_TYPE, path.type().name());
                metadata.put(IngressRouteDefinitions.PATH, path.path());
                if (ingress != null) {
                    metadata.put(IngressRouteDefinitions.INGRESS_NAMESPACE, ingress.namespace());
                    metadata.put(IngressRouteDefinitions.INGRESS_NAME, ingress.name());
                }
            }
            case DEFAULT -> {
                metadata.put(IngressRouteDefinitions.UPSTREAM, upstreamKey);
                metadata.put(IngressRouteDefinitions.DEFAULT_FOR_HOSTS, defaultForHosts);
                metadata.put(IngressRouteDefinitions.MODEL_DEFAULT, modelDefault);
            }
            case NOT_FOUND -> {
            }
        }
        return metadata;
    }
}
