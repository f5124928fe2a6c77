package io.ingressgateway.gateway.route;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a {@link RouteModel} into gateway route definitions: one per Ingress rule, one per distinct default upstream,
 * and a final not-found route, ordered by precedence. {@link IngressRouteLocator} makes the gateway's routes from
 * them, converting only definitions that are new or changed.
 *
 * <p>Definitions carry upstream keys, never endpoints, so a model whose only change is endpoints yields equal
 * definitions and needs no route refresh. The route index reads each route's {@link ServedRoute}; the
 * {@code IngressRule} predicate matches the same host and path so a stock ordered scan finds the route as well (a
 * stock scan does fall through to less specific hosts, which the index does not).
 */
public final class IngressRouteDefinitions {

    /** Scheme of every route URI we produce; rewritten to a real endpoint by the upstream routing filter. */
    public static final String SCHEME = "ingress";

    public static final URI UPSTREAM_URI = URI.create(SCHEME + "://upstream");
    public static final URI NOT_FOUND_URI = URI.create(SCHEME + "://not-found");

    public static final String NOT_FOUND_ROUTE_ID = "not-found";
    public static final String DEFAULT_ROUTE_ID_PREFIX = "default:";

    /** Metadata keys, for operators' eyes only ({@link IngressRouteDefinition#metadata()}). */
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

    static final PathMatch ANY_PATH = PathMatch.prefix("/");

    private static final IngressRouteDefinition NOT_FOUND = new IngressRouteDefinition(NOT_FOUND_ROUTE_ID,
            Kind.NOT_FOUND, null, null, List.of(), false);

    private IngressRouteDefinitions() {
    }

    /** The routes of a model in precedence order: rules host by host, then defaults, then not-found. */
    public static List<IngressRouteDefinition> from(RouteModel model) {
        return from(model, Map.of(), new IdentityHashMap<>());
    }

    /**
     * {@link #from(RouteModel)}, taking the rule definitions of a virtual host from {@code known} when it is the very
     * same object (the translator keeps unchanged virtual hosts as they are), so that only changed virtual hosts are
     * walked and comparing definitions is mostly comparing references.
     *
     * @param known what an earlier call made, by virtual host object
     * @param made  filled with the rule definitions of this call, by virtual host object
     */
    public static List<IngressRouteDefinition> from(RouteModel model,
                                                    Map<VirtualHost, List<IngressRouteDefinition>> known,
                                                    Map<VirtualHost, List<IngressRouteDefinition>> made) {
        List<IngressRouteDefinition> definitions = new ArrayList<>();
        // Upstream -> host patterns it is the default of, in virtual host order.
        Map<UpstreamKey, Set<HostMatch>> defaults = new LinkedHashMap<>();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            List<IngressRouteDefinition> rules = known.get(virtualHost);
            if (rules == null) {
                rules = rules(virtualHost);
            }
            made.put(virtualHost, rules);
            definitions.addAll(rules);
            if (virtualHost.defaultUpstreamKey() != null) {
                defaults.computeIfAbsent(virtualHost.defaultUpstreamKey(), k -> new LinkedHashSet<>())
                        .add(virtualHost.host());
            }
        }
        if (model.defaultUpstreamKey() != null) {
            defaults.computeIfAbsent(model.defaultUpstreamKey(), k -> new LinkedHashSet<>());
        }
        for (Map.Entry<UpstreamKey, Set<HostMatch>> entry : defaults.entrySet()) {
            boolean modelDefault = entry.getKey().equals(model.defaultUpstreamKey());
            definitions.add(new IngressRouteDefinition(DEFAULT_ROUTE_ID_PREFIX + entry.getKey(), Kind.DEFAULT, null,
                    entry.getKey(), List.copyOf(entry.getValue()), modelDefault));
        }
        definitions.add(NOT_FOUND);
        return definitions;
    }

    private static List<IngressRouteDefinition> rules(VirtualHost virtualHost) {
        List<IngressRouteDefinition> rules = new ArrayList<>(virtualHost.routes().size());
        for (Route route : virtualHost.routes()) {
            rules.add(IngressRouteDefinition.rule(route));
        }
        return List.copyOf(rules);
    }
}
