package io.ingressgateway.gateway.route;

import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRepository;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's routes are the Ingress objects' routes, made by {@link IngressRouteLocator}: this replaces the
 * gateway's in-memory definition repository with one that holds nothing and refuses writes, so routes cannot be added
 * or removed through the gateway's API, only through Ingress objects. (Ingress routes are deliberately not route
 * definitions: the gateway would convert every one of them on every refresh.)
 */
@Component
public class IngressRouteDefinitionRepository implements RouteDefinitionRepository {

    @Override
    public Flux<RouteDefinition> getRouteDefinitions() {
        return Flux.empty();
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
