package io.ingressgateway.ops;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.controller.ControllerPipeline;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness: a replica takes traffic only once it serves the cluster's routes, not the empty model it starts with.
 * Out of service until the pipeline's first full sync. Not part of liveness: a slow API server is no reason to
 * restart the gateway.
 */
public class RouteModelHealthIndicator implements HealthIndicator {

    private final ControllerPipeline pipeline;

    public RouteModelHealthIndicator(ControllerPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Health health() {
        RouteModel model = pipeline.current().model();
        Health.Builder health = pipeline.synced() ? Health.up() : Health.outOfService();
        return health
                .withDetail("source", pipeline.sourceDescription())
                .withDetail("revision", model.revision())
                .withDetail("servedIngresses", RouteModelMetrics.servedIngresses(model, true))
                .withDetail("routes", RouteModelMetrics.routes(model))
                .build();
    }
}
