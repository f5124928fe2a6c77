package io.ingressgateway.gateway;

import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRepository;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's routes are the Ingress objects' routes: this replaces the in-memory repository, so routes cannot be
 * added or removed through the gateway's API, only through Ingress objects.
 */
@Component
public class IngressRouteDefinitionRepository implements RouteDefinitionRepository {

    private final GatewayRouteModel routeModel;

    public IngressRouteDefinitionRepository(GatewayRouteModel routeModel) {
        this.routeModel = routeModel;
    }

    @Override
    public Flux<RouteDefinition> getRouteDefinitions() {
        return Flux.defer(() -> Flux.fromIterable(routeModel.definitions()));
    }

    @Override
    public Mono<Void> save(Mono<RouteDefinition> route) {
        return Mono.error(new UnsupportedOperationException("Routes come from Ingress objects"));
    }

    @Override
    public Mono<Void> delete(Mono<String> routeId) {
        return Mono.error(new UnsupportedOperationException("Routes come from Ingress objects"));
    }
}
