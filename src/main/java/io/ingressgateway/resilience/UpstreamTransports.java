package io.ingressgateway.resilience;

import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.BackendProtocolPolicy.Protocol;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * The {@link UpstreamTransport} of each route: none for plain HTTP routes (they keep the guard's client as it is), else
 * the one of its protocol, TLS policy and expected name, shared by every route asking the same, so a TLS context is
 * built once per distinct policy and not per request nor per route. Kept in the route's {@link ServedRoute} (a route's
 * policies never change; a changed Ingress makes new routes).
 *
 * <p>The name an upstream's certificate must be valid for is {@code proxy-ssl-name} when set, else the Service's name
 * in the cluster, {@code service.namespace.svc} (nginx's default there is its internal upstream name, which no
 * certificate carries).
 */
final class UpstreamTransports {

    /** Distinct transports kept for sharing; past this many (policies of Ingresses long gone) they are forgotten. */
    static final int MAX_SHARED = 1024;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("upstream transport");
    /** Routes' policies are immutable: one version for ever. */
    private static final Object ALWAYS = new Object();

    private record Key(Protocol protocol, UpstreamTlsPolicy tls, String expectedName) {
    }

    private final ConcurrentHashMap<Key, UpstreamTransport> shared = new ConcurrentHashMap<>();
    private final PerRouteCache<UpstreamTransport> byRoute = new PerRouteCache<>(SLOT, this::transportNow);

    /** The transport of the request's route, or null when it is plain HTTP (or not a route of the model). */
    UpstreamTransport of(ServerWebExchange exchange, Route route) {
        ServedRoute served = ServedRoute.of(exchange, route);
        return served == null ? null : of(served);
    }

    /** The transport of a served route, or null when it is plain HTTP. */
    UpstreamTransport of(ServedRoute served) {
        return byRoute.get(served, ALWAYS);
    }

    private UpstreamTransport transportNow(Route route, ServedRoute served) {
        BackendProtocolPolicy protocol = served == null ? null : served.policy(BackendProtocolPolicy.class);
        if (protocol == null || protocol.protocol() == Protocol.HTTP || served.upstreamKey() == null) {
            return null;
        }
        Key key;
        if (protocol.protocol().secure()) {
            UpstreamTlsPolicy tls = served.policy(UpstreamTlsPolicy.class);
            tls = tls != null ? tls : UpstreamTlsPolicy.DEFAULTS;
            // The name matters only to verify or to send as SNI: otherwise routes to any Service share a context.
            boolean named = tls.verify() || tls.sendServerName() || tls.refusesEveryCertificate();
            key = new Key(protocol.protocol(), tls, named ? expectedName(tls, served.upstreamKey()) : null);
        } else {
            key = new Key(protocol.protocol(), null, null);
        }
        UpstreamTransport kept = shared.get(key);
        if (kept != null) {
            return kept;
        }
        if (shared.size() >= MAX_SHARED) {
            shared.clear();
        }
        return shared.computeIfAbsent(key, k -> new UpstreamTransport(k.protocol(),
                k.tls() != null ? k.tls() : UpstreamTlsPolicy.DEFAULTS, k.expectedName()));
    }

    /** {@code proxy-ssl-name}, else {@code service.namespace.svc}. */
    static String expectedName(UpstreamTlsPolicy tls, UpstreamKey upstream) {
        return tls.verifyName() != null ? tls.verifyName()
                : upstream.service() + "." + upstream.namespace() + ".svc";
    }
}
