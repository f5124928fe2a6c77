package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE;

import io.ingressgateway.gateway.balance.EndpointChooser;
import io.ingressgateway.gateway.balance.EndpointChoosers;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.CanarySelection;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.RoundRobinBalancer;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.CanaryPolicy;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Sends an Ingress route's request to one ready endpoint of its upstream, chosen round-robin from the current model
 * at request time (so endpoint changes need no route refresh), or by the route's {@code EndpointChooser} when its
 * Ingress asks for affinity, hashing or EWMA ({@code gateway.balance}). Runs right after {@link RouteToRequestUrlFilter} has
 * merged the request path into the route URI, and before the HTTP and WebSocket routing filters, which then see a
 * plain {@code http://endpoint} URL ({@code https://} for an Ingress's {@code backend-protocol} {@code HTTPS} or
 * {@code GRPCS}). The original Host header goes to the upstream, as with ingress-nginx (an HTTP/1.0
 * request may have none: the upstream then gets its endpoint's address).
 */
@Component
public class UpstreamRoutingFilter implements GlobalFilter, Ordered {

    /** Exchange attribute: the {@link Endpoint} the request was sent to. */
    public static final String ENDPOINT_ATTR = UpstreamRoutingFilter.class.getName() + ".endpoint";
    /** Exchange attribute: the {@link UpstreamKey} of the upstream the request was sent to. */
    public static final String UPSTREAM_ATTR = UpstreamRoutingFilter.class.getName() + ".upstream";
    /**
     * Exchange attribute, present (true) when the request goes to an ExternalName upstream: its client must judge
     * the addresses the name resolves to before connecting (resilience's {@code ExternalNameResolverGroup}).
     */
    public static final String EXTERNAL_NAME_ATTR = UpstreamRoutingFilter.class.getName() + ".externalName";

    public static final int ORDER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 1;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("upstream endpoints");
    private static final ServedRoute.Slot CANARY_SLOT = ServedRoute.Slot.allocate("canary upstream endpoints");

    private final GatewayRouteModel routeModel;
    private final RoundRobinBalancer balancer;
    private final EndpointChoosers choosers;
    /** Each route's upstream and balancer position, for the served model. */
    private final PerRouteCache<Resolved> resolved = new PerRouteCache<>(SLOT, this::resolveNow);
    /** Each route's canary upstream, for the requests its canary takes. */
    private final PerRouteCache<Resolved> canaryResolved = new PerRouteCache<>(CANARY_SLOT, this::resolveCanaryNow);

    /**
     * A route's kind, upstream key, balancer position, the upstream's endpoints (none when it is unknown) and, per
     * endpoint, the start of its URL ({@code http://address:port}), for one served model. A request reads these and
     * the one URL start it picks, not the upstream, the endpoint and its address, each one more object to fetch from
     * memory with requests spread over many routes.
     */
    private record Resolved(Kind kind, UpstreamKey key, AtomicInteger position, List<Endpoint> endpoints,
                            String[] urlStarts, boolean externalName, boolean defaultBackend,
                            EndpointChooser chooser) {

        static Resolved of(Kind kind, UpstreamKey key, Upstream upstream, AtomicInteger position, String scheme,
                           boolean defaultBackend, EndpointChooser chooser) {
            List<Endpoint> endpoints = upstream == null ? List.of() : upstream.endpoints();
            String[] urlStarts = new String[endpoints.size()];
            for (int i = 0; i < urlStarts.length; i++) {
                urlStarts[i] = scheme + "://" + endpoints.get(i);
            }
            boolean externalName = upstream != null && upstream.externalName();
            return new Resolved(kind, key, position, endpoints, urlStarts, externalName, defaultBackend, chooser);
        }
    }

    public UpstreamRoutingFilter(GatewayRouteModel routeModel, RoundRobinBalancer balancer,
                                 EndpointChoosers choosers) {
        this.routeModel = routeModel;
        this.balancer = balancer;
        this.choosers = choosers;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        URI requestUrl = exchange.getAttribute(GATEWAY_REQUEST_URL_ATTR);
        if (route == null || requestUrl == null || !IngressRouteDefinitions.SCHEME.equals(requestUrl.getScheme())) {
            return chain.filter(exchange);
        }
        Resolved resolved = resolve(exchange, route);
        if (resolved.kind() == null || resolved.kind() == Kind.NOT_FOUND) {
            return GatewayErrorResponses.write(exchange, HttpStatus.NOT_FOUND,
                    "No Ingress rule matches this host and path.");
        }
        List<Endpoint> endpoints = resolved.endpoints();
        if (endpoints.isEmpty()) {
            return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "The service for this request has no available endpoint.");
        }
        if (resolved.externalName()) {
            // The WebSocket client has no per-request resolver, so it could not judge where the name leads.
            if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
                return GatewayErrorResponses.write(exchange, HttpStatus.BAD_GATEWAY,
                        "WebSocket connections to this upstream service are not supported.");
            }
            exchange.getAttributes().put(EXTERNAL_NAME_ATTR, Boolean.TRUE);
        }
        EndpointChooser chooser = resolved.chooser(); // null: round-robin, the default
        int chosen = chooser == null ? RoundRobinBalancer.nextIndex(resolved.position(), endpoints.size())
                : chooser.choose(exchange);
        Endpoint endpoint = endpoints.get(chosen);
        exchange.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, endpointUrl(resolved.urlStarts()[chosen], requestUrl));
        if (exchange.getRequest().getHeaders().containsHeader(HttpHeaders.HOST)) {
            exchange.getAttributes().put(PRESERVE_HOST_HEADER_ATTRIBUTE, true);
        } // else an HTTP/1.0 request without Host: the upstream gets its own address as Host (preserving none fails)
        if (resolved.defaultBackend()) {
            exchange = DefaultBackendFallback.mark(exchange, ServedRoute.of(exchange, route));
        }
        exchange.getAttributes().put(ENDPOINT_ATTR, endpoint);
        exchange.getAttributes().put(UPSTREAM_ATTR, resolved.key());
        return chooser == null ? chain.filter(exchange) : chooser.around(exchange, chosen, chain.filter(exchange));
    }

    /** The route's upstream in the served model, from the cache when resolved for this route and model already. */
    private Resolved resolve(ServerWebExchange exchange, Route route) {
        CanaryPolicy canary = CanarySelection.of(exchange);
        return (canary == null ? resolved : canaryResolved).get(exchange, route, routeModel.servedToken());
    }

    /** For a request its route's canary takes ({@link CanaryFilter}): the canary's upstream. */
    private Resolved resolveCanaryNow(Route route, ServedRoute served) {
        CanaryPolicy canary = served == null ? null : served.policy(CanaryPolicy.class);
        if (canary == null) {
            return resolveNow(route, served);
        }
        UpstreamKey key = CanarySelection.upstreamKey(canary);
        Upstream upstream = routeModel.upstream(key);
        // The canary is spoken to as the main route's backend-protocol says: its annotations are the main Ingress's.
        return Resolved.of(served.kind(), key, upstream, upstream == null ? null : balancer.position(key),
                BackendProtocolPolicy.scheme(served.policy(BackendProtocolPolicy.class)), false,
                chooserFor(served, key, upstream));
    }

    /** A route not made from the route model (no served route) has no upstream of ours: it answers 404. */
    private Resolved resolveNow(Route route, ServedRoute served) {
        if (served == null || served.kind() == Kind.NOT_FOUND) {
            return Resolved.of(served == null ? null : served.kind(), null, null, null, "http", false, null);
        }
        UpstreamKey key = served.upstreamKey();
        Upstream upstream = routeModel.upstream(key);
        Upstream fallback = DefaultBackendFallback.replacement(served, upstream, routeModel::upstream);
        if (fallback != null) {
            // The default-backend annotation's Service serves error pages: plain HTTP, whatever the route's protocol,
            // balanced round robin.
            return Resolved.of(served.kind(), fallback.key(), fallback, balancer.position(fallback.key()), "http",
                    true, null);
        }
        return Resolved.of(served.kind(), key, upstream, upstream == null ? null : balancer.position(key),
                BackendProtocolPolicy.scheme(served.policy(BackendProtocolPolicy.class)), false,
                chooserFor(served, key, upstream));
    }

    /** The route's endpoint chooser for the upstream {@code key} its request goes to; null for round robin. */
    private EndpointChooser chooserFor(ServedRoute served, UpstreamKey key, Upstream upstream) {
        return upstream == null ? null : choosers.forRoute(served, key, upstream.endpoints(),
                k -> routeModel.upstream(k) != null, ENDPOINT_ATTR);
    }

    int cachedRoutes() {
        return resolved.size();
    }

    /**
     * {@code http://endpoint} ({@code https://} when {@code requestUrl} is already an {@code https} one) with the
     * request's path and query exactly as received (still percent-encoded).
     */
    public static URI endpointUrl(Endpoint endpoint, URI requestUrl) {
        return endpointUrl(("https".equals(requestUrl.getScheme()) ? "https://" : "http://") + endpoint, requestUrl);
    }

    /** {@code urlStart} ({@code http://endpoint}) with the request's path and query exactly as received. */
    private static URI endpointUrl(String urlStart, URI requestUrl) {
        StringBuilder url = new StringBuilder(urlStart);
        String path = requestUrl.getRawPath();
        url.append(path == null || path.isEmpty() ? "/" : path);
        if (requestUrl.getRawQuery() != null) {
            url.append('?').append(requestUrl.getRawQuery());
        }
        return URI.create(url.toString());
    }
}
