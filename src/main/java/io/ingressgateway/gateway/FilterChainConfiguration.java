package io.ingressgateway.gateway;

import java.util.List;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The per-request filter chain. The gateway declares its {@link FilteringWebHandler} only when none exists, so this
 * one takes its place.
 */
@Configuration(proxyBeanMethods = false)
public class FilterChainConfiguration {

    @Bean
    FilteringWebHandler filteringWebHandler(List<GlobalFilter> globalFilters, GatewayProperties properties) {
        return new GlobalFilterChainWebHandler(globalFilters, properties.isRouteFilterCacheEnabled());
    }
}
