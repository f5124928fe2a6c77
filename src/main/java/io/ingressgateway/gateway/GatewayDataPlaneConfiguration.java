package io.ingressgateway.gateway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.accept.ApiVersionStrategy;

/**
 * Replaces the gateway's route lookup with the indexed one. The gateway declares its own handler mapping only when
 * none exists ({@code @ConditionalOnMissingBean}), so this one takes its place rather than running beside it.
 */
@Configuration(proxyBeanMethods = false)
public class GatewayDataPlaneConfiguration {

    @Bean
    IngressRouteHandlerMapping ingressRouteHandlerMapping(FilteringWebHandler webHandler, RouteLocator routeLocator,
                                                          IngressRouteLocator ingressRoutes,
                                                          GlobalCorsProperties globalCorsProperties,
                                                          Environment environment,
                                                          ObjectProvider<ApiVersionStrategy> apiVersionStrategy) {
        IngressRouteHandlerMapping mapping =
                new IngressRouteHandlerMapping(webHandler, routeLocator, ingressRoutes, globalCorsProperties,
                        environment);
        apiVersionStrategy.ifAvailable(mapping::setApiVersionStrategy);
        return mapping;
    }
}
