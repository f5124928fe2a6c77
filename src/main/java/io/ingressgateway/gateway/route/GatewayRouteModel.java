package io.ingressgateway.gateway.route;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The route model the data plane serves. Keeps the latest model for request-time endpoint lookups and asks the
 * gateway to refresh its routes only when the routes change: endpoint churn (pods scaling, rolling updates) is served
 * from the new model immediately, without touching any route.
 *
 * <p>When the routes do change, {@link IngressRouteLocator} converts only the new or changed ones, and the route
 * index is swapped as soon as it has them; the gateway's own refresh (its route list, for Actuator and route metrics)
 * follows. Requests already matched keep the route they have.
 */
@Component
public class GatewayRouteModel implements RouteModelListener {

    private static final Logger log = LoggerFactory.getLogger(GatewayRouteModel.class);

    private final ApplicationEventPublisher publisher;
    private final RoundRobinBalancer balancer;
    private final IngressRouteLocator locator;
    private final AtomicReference<Served> served = new AtomicReference<>(new Served(RouteModel.EMPTY, Map.of()));
    /** The model the locator's routes were last made from; only touched on the pipeline thread. */
    private RouteModel routed = RouteModel.EMPTY;
    /** The rule definitions of {@link #routed}, by virtual host object; only touched on the pipeline thread. */
    private Map<VirtualHost, List<IngressRouteDefinition>> ruleDefinitions = Map.of();

    public GatewayRouteModel(ApplicationEventPublisher publisher, RoundRobinBalancer balancer,
                             IngressRouteLocator locator) {
        this.publisher = publisher;
        this.balancer = balancer;
        this.locator = locator;
    }

    /**
     * @param previousUpstreams the upstreams of the model before this one: the gateway swaps its routes a moment after
     *                          the model changes, and a request matched to a route of the old set must still find its
     *                          upstream instead of failing with 503
     */
    private record Served(RouteModel model, Map<UpstreamKey, Upstream> previousUpstreams) {
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.GATEWAY_ROUTES;
    }

    @Override
    public void onModel(PipelineState state) {
        RouteModel model = state.model();
        Served previous = served.get();
        served.set(new Served(model, previous.model().upstreams()));
        balancer.retain(model.upstreams().keySet());
        if (sameRoutes(routed, model)) {
            log.debug("Route model revision {}: routes unchanged", model.revision());
            return;
        }
        long start = System.nanoTime();
        Map<VirtualHost, List<IngressRouteDefinition>> made = new IdentityHashMap<>();
        IngressRouteLocator.Update update = locator.update(IngressRouteDefinitions.from(model, ruleDefinitions, made));
        routed = model;
        ruleDefinitions = made;
        if (update.changed()) {
            long updated = System.nanoTime();
            publisher.publishEvent(new RefreshRoutesEvent(this));
            // Where the time goes: our part, then the gateway's refresh (collecting, sorting and caching every route,
            // and our index rebuilt from them).
            log.info("Route model revision {}: routes changed ({} converted, {} unchanged, {} removed); updated in {}"
                    + " µs, gateway refreshed in {} µs", model.revision(), update.converted(), update.reused(),
                    update.removed(), (updated - start) / 1000, (System.nanoTime() - updated) / 1000);
        } else {
            log.debug("Route model revision {}: routes unchanged", model.revision());
        }
    }

    /** The routes are a function of the virtual hosts and the model default alone; equal inputs, equal routes. */
    private static boolean sameRoutes(RouteModel before, RouteModel after) {
        return Objects.equals(before.defaultUpstreamKey(), after.defaultUpstreamKey())
                && before.virtualHosts().equals(after.virtualHosts());
    }

    /**
     * Changes (to a new object) with every model: what {@link #upstream} answers for a key, and the balancer positions
     * it keeps, may be cached while this stays the same object.
     */
    public Object servedToken() {
        return served.get();
    }

    /** The model requests are served from now. */
    public RouteModel model() {
        return served.get().model();
    }

    /**
     * The upstream a route refers to: from the current model, else (for a route the gateway has not yet swapped out)
     * from the previous one. Null when neither knows it.
     */
    public Upstream upstream(UpstreamKey key) {
        Served current = served.get();
        Upstream upstream = current.model().upstreams().get(key);
        return upstream != null ? upstream : current.previousUpstreams().get(key);
    }
}
