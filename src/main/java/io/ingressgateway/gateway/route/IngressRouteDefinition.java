package io.ingressgateway.gateway.route;

import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.UpstreamKey;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one gateway route is, apart from its position, typed: everything its predicate, its {@link ServedRoute} and its
 * metadata are made from. Two equal definitions make interchangeable routes, so a route whose definition did not
 * change between two models is kept as it is ({@link IngressRouteLocator}).
 *
 * @param id              the route id (the model's route id, or one of the fixed default and not-found ids)
 * @param kind            rule, default or not-found
 * @param rule            for a rule, the model's route, with its Ingress and policies; else null
 * @param upstreamKey     the upstream requests go to (null for not-found)
 * @param defaultForHosts for a default, the host patterns whose unmatched requests it takes
 * @param modelDefault    for a default, whether it also takes requests that match no virtual host
 */
public record IngressRouteDefinition(String id, Kind kind, Route rule, UpstreamKey upstreamKey,
                                     List<HostMatch> defaultForHosts, boolean modelDefault) {

    public IngressRouteDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.RULE) != (rule != null)) {
            throw new IllegalArgumentException("a rule, and only a rule, has a model route: " + id);
        }
        defaultForHosts = defaultForHosts == null ? List.of() : List.copyOf(defaultForHosts);
    }

    static IngressRouteDefinition rule(Route rule) {
        return new IngressRouteDefinition(rule.id(), Kind.RULE, rule, rule.upstreamKey(), List.of(), false);
    }

    /** The host patterns the route's predicate matches. */
    public List<HostMatch> predicateHosts() {
        if (kind == Kind.RULE) {
            return List.of(rule.host());
        }
        return kind == Kind.DEFAULT && !modelDefault ? defaultForHosts : List.of(HostMatch.ANY);
    }

    /** The path the route's predicate matches. */
    public PathMatch path() {
        return kind == Kind.RULE ? rule.path() : IngressRouteDefinitions.ANY_PATH;
    }

    public URI uri() {
        return kind == Kind.NOT_FOUND ? IngressRouteDefinitions.NOT_FOUND_URI : IngressRouteDefinitions.UPSTREAM_URI;
    }

    /**
     * The gateway route's metadata, for operators reading {@code /actuator/gateway/routes}: where the route comes from
     * and where it goes, as text. Nothing of the gateway reads it; requests find the route's {@link ServedRoute}.
     */
    public Map<String, Object> metadata() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(IngressRouteDefinitions.KIND, kind.name());
        switch (kind) {
            case RULE -> {
                metadata.put(IngressRouteDefinitions.UPSTREAM, upstreamKey.toString());
                metadata.put(IngressRouteDefinitions.HOST, rule.host().toString());
                metadata.put(IngressRouteDefinitions.PATH_TYPE, rule.path().type().name());
                metadata.put(IngressRouteDefinitions.PATH, rule.path().path());
                if (rule.ingress() != null) {
                    metadata.put(IngressRouteDefinitions.INGRESS_NAMESPACE, rule.ingress().namespace());
                    metadata.put(IngressRouteDefinitions.INGRESS_NAME, rule.ingress().name());
                }
            }
            case DEFAULT -> {
                metadata.put(IngressRouteDefinitions.UPSTREAM, upstreamKey.toString());
                metadata.put(IngressRouteDefinitions.DEFAULT_FOR_HOSTS,
                        defaultForHosts.stream().map(HostMatch::toString).toList());
                metadata.put(IngressRouteDefinitions.MODEL_DEFAULT, modelDefault);
            }
            case NOT_FOUND -> {
            }
        }
        return metadata;
    }
}
