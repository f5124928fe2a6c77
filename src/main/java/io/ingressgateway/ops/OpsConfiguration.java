package io.ingressgateway.ops;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.controller.ControllerPipeline;
import io.ingressgateway.resilience.UpstreamGuards;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What operators see: the ingresses endpoint, readiness on the route model, model gauges and controller metrics. */
@Configuration(proxyBeanMethods = false)
public class OpsConfiguration {

    @Bean
    IngressesEndpoint ingressesEndpoint(ControllerPipeline pipeline, ObjectProvider<UpstreamGuards> guards,
                                        IngressGatewayProperties properties) {
        return new IngressesEndpoint(pipeline, guards.getIfAvailable(),
                properties.ops().ingressesDetail() == IngressGatewayProperties.Ops.IngressesDetail.FULL
                        ? IngressesEndpoint.Detail.FULL : IngressesEndpoint.Detail.SUMMARY);
    }

    /** The bean name makes the contributor {@code routeModel}, as the readiness group in application.yaml expects. */
    @Bean
    RouteModelHealthIndicator routeModelHealthIndicator(ControllerPipeline pipeline) {
        return new RouteModelHealthIndicator(pipeline);
    }

    @Bean
    RouteModelMetrics routeModelMetrics(ControllerPipeline pipeline) {
        return new RouteModelMetrics(pipeline);
    }

    /** The pipeline reports to it (ControllerConfiguration takes the one observer there is). */
    @Bean
    ControllerMetrics controllerMetrics(MeterRegistry registry) {
        return new ControllerMetrics(registry, Clock.systemUTC());
    }
}
