package io.ingressgateway.gateway;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import java.util.List;
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
            new AtomicReference<>(new Served(RouteModel.EMPTY, IngressRouteDefinitions.from(RouteModel.EMPTY)));

    public GatewayRouteModel(ApplicationEventPublisher publisher, RoundRobinBalancer balancer) {
        this.publisher = publisher;
        this.balancer = balancer;
    }

    private record Served(RouteModel model, List<RouteDefinition> definitions) {
    }

    @Override
    public void onModel(PipelineState state) {
        RouteModel model = state.model();
        List<RouteDefinition> definitions = IngressRouteDefinitions.from(model);
        Served previous = served.getAndSet(new Served(model, definitions));
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

    /** The gateway route definitions of the current model. */
    public List<RouteDefinition> definitions() {
        return served.get().definitions();
    }
}
