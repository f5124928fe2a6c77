package io.ingressgateway.gateway;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.VirtualHost;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;

/**
 * Turns a {@link RouteModel} into Spring Cloud Gateway route definitions: one per Ingress rule, one per distinct
 * default upstream, and a final not-found route, ordered by precedence.
 *
 * <p>Definitions carry upstream keys, never endpoints, so a model whose only change is endpoints yields equal
 * definitions and needs no route refresh. The metadata is what {@link IngressRouteHandlerMapping} indexes; the
 * {@code IngressRule} predicate matches the same host and path so a stock ordered scan finds the route as well (a
 * stock scan does fall through to less specific hosts, which the index does not).
 */
public final class IngressRouteDefinitions {

    /** Scheme of every route URI we produce; rewritten to a real endpoint by {@link UpstreamRoutingFilter}. */
    public static final String SCHEME = "ingress";

    static final URI UPSTREAM_URI = URI.create(SCHEME + "://upstream");
    static final URI NOT_FOUND_URI = URI.create(SCHEME + "://not-found");

    public static final String NOT_FOUND_ROUTE_ID = "not-found";
    public static final String DEFAULT_ROUTE_ID_PREFIX = "default:";

    /** Metadata keys. */
    public static final String KIND = "ingress.kind";
    public static final String UPSTREAM = "ingress.upstream";
    public static final String INGRESS_NAMESPACE = "ingress.namespace";
    public static final String INGRESS_NAME = "ingress.name";
    public static final String HOST = "ingress.host";
    public static final String PATH = "ingress.path";
    public static final String PATH_TYPE = "ingress.path-type";
    /** On a default route: the host patterns ({@code *} for any host) whose unmatched requests it takes. */
    public static final String DEFAULT_FOR_HOSTS = "ingress.default-for-hosts";
    /** On a default route: whether it also takes requests that match no virtual host. */
    public static final String MODEL_DEFAULT = "ingress.model-default";

    public enum Kind { RULE, DEFAULT, NOT_FOUND }

    private IngressRouteDefinitions() {
    }

    public static List<RouteDefinition> from(RouteModel model) {
        List<RouteDefinition> definitions = new ArrayList<>();
        // Upstream key -> host patterns it is the default of, in virtual host order.
        Map<String, Set<String>> defaults = new LinkedHashMap<>();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            for (Route route : virtualHost.routes()) {
                definitions.add(ruleDefinition(route, definitions.size()));
            }
            if (virtualHost.defaultUpstreamKey() != null) {
                defaults.computeIfAbsent(virtualHost.defaultUpstreamKey(), k -> new LinkedHashSet<>())
                        .add(virtualHost.host().toString());
            }
        }
        if (model.defaultUpstreamKey() != null) {
            defaults.computeIfAbsent(model.defaultUpstreamKey(), k -> new LinkedHashSet<>());
        }
        for (Map.Entry<String, Set<String>> entry : defaults.entrySet()) {
            boolean modelDefault = entry.getKey().equals(model.defaultUpstreamKey());
            definitions.add(defaultDefinition(entry.getKey(), List.copyOf(entry.getValue()), modelDefault,
                    definitions.size()));
        }
        definitions.add(notFoundDefinition(definitions.size()));
        return List.copyOf(definitions);
    }

    private static RouteDefinition ruleDefinition(Route route, int order) {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(KIND, Kind.RULE.name());
        metadata.put(UPSTREAM, route.upstreamKey());
        metadata.put(HOST, route.host().toString());
        metadata.put(PATH_TYPE, route.path().type().name());
        metadata.put(PATH, route.path().path());
        if (route.ingress() != null) {
            metadata.put(INGRESS_NAMESPACE, route.ingress().namespace());
            metadata.put(INGRESS_NAME, route.ingress().name());
        }
        return definition(route.id(), UPSTREAM_URI, route.host().toString(), route.path(), metadata, order);
    }

    private static RouteDefinition defaultDefinition(String upstreamKey, List<String> hosts, boolean modelDefault,
                                                     int order) {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(KIND, Kind.DEFAULT.name());
        metadata.put(UPSTREAM, upstreamKey);
        metadata.put(DEFAULT_FOR_HOSTS, hosts);
        metadata.put(MODEL_DEFAULT, modelDefault);
        String predicateHosts = modelDefault ? HostMatch.ANY.toString() : String.join(",", hosts);
        return definition(DEFAULT_ROUTE_ID_PREFIX + upstreamKey, UPSTREAM_URI, predicateHosts, PathMatch.prefix("/"),
                metadata, order);
    }

    private static RouteDefinition notFoundDefinition(int order) {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put(KIND, Kind.NOT_FOUND.name());
        return definition(NOT_FOUND_ROUTE_ID, NOT_FOUND_URI, HostMatch.ANY.toString(), PathMatch.prefix("/"),
                metadata, order);
    }

    private static RouteDefinition definition(String id, URI uri, String hosts, PathMatch path,
                                              Map<String, Object> metadata, int order) {
        PredicateDefinition predicate = new PredicateDefinition();
        predicate.setName(IngressRuleRoutePredicateFactory.NAME);
        predicate.addArg(IngressRuleRoutePredicateFactory.HOSTS_ARG, hosts);
        predicate.addArg(IngressRuleRoutePredicateFactory.PATH_TYPE_ARG, path.type().name());
        predicate.addArg(IngressRuleRoutePredicateFactory.PATH_ARG, path.path());
        RouteDefinition definition = new RouteDefinition();
        definition.setId(id);
        definition.setUri(uri);
        definition.setOrder(order);
        definition.setPredicates(List.of(predicate));
        definition.setMetadata(metadata);
        return definition;
    }

    /** The kind of a gateway route, or null when the route is not one of ours. */
    static Kind kindOf(Map<String, Object> metadata) {
        Object kind = metadata.get(KIND);
        if (kind == null) {
            return null;
        }
        try {
            return Kind.valueOf(kind.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
