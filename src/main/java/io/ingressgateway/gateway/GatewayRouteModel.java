package io.ingressgateway.gateway;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.ingressgateway.model.Upstream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The route model the data plane serves. Keeps the latest model for request-time endpoint lookups and asks the
 * gateway to rebuild its routes only when the route definitions change: endpoint churn (pods scaling, rolling
 * updates) is served from the new model immediately without rebuilding any route.
 */
@Component
public class GatewayRouteModel implements RouteModelListener {

    private static final Logger log = LoggerFactory.getLogger(GatewayRouteModel.class);

    private final ApplicationEventPublisher publisher;
    private final RoundRobinBalancer balancer;
    private final AtomicReference<Served> served =
            new AtomicReference<>(new Served(RouteModel.EMPTY, IngressRouteDefinitions.from(RouteModel.EMPTY), Map.of()));

    public GatewayRouteModel(ApplicationEventPublisher publisher, RoundRobinBalancer balancer) {
        this.publisher = publisher;
        this.balancer = balancer;
    }

    /**
     * @param previousUpstreams the upstreams of the model before this one: the gateway swaps its routes a moment after
     *                          the model changes, and a request matched to a route of the old set must still find its
     *                          upstream instead of failing with 503
     */
    private record Served(RouteModel model, List<RouteDefinition> definitions,
                          Map<String, Upstream> previousUpstreams) {
    }

    @Override
    public void onModel(PipelineState state) {
        RouteModel model = state.model();
        List<RouteDefinition> definitions = IngressRouteDefinitions.from(model);
        Served previous = served.get();
        served.set(new Served(model, definitions, previous.model().upstreams()));
        balancer.retain(model.upstreams().keySet());
        if (!previous.definitions().equals(definitions)) {
            log.info("Route model revision {}: {} routes changed, refreshing", model.revision(), definitions.size());
            publisher.publishEvent(new RefreshRoutesEvent(this));
        } else {
            log.debug("Route model revision {}: routes unchanged", model.revision());
        }
    }

    /** The model requests are served from now. */
    public RouteModel model() {
        return served.get().model();
    }

    /**
     * The upstream a route refers to: from the current model, else (for a route the gateway has not yet swapped out)
     * from the previous one. Null when neither knows it.
     */
    public Upstream upstream(String key) {
        Served current = served.get();
        Upstream upstream = current.model().upstreams().get(key);
        return upstream != null ? upstream : current.previousUpstreams().get(key);
    }

    /** The gateway route definitions of the current model. */
    public List<RouteDefinition> definitions() {
        return served.get().definitions();
    }
}
