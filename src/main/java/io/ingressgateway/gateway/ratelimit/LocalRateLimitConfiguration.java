package io.ingressgateway.gateway.ratelimit;

import io.ingressgateway.config.IngressGatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;

/** The per-replica rate limits of Ingresses: the limiters (one per replica, shared by every route) and their filter. */
@Configuration(proxyBeanMethods = false)
public class LocalRateLimitConfiguration {

    @Bean
    RequestRateLimiter requestRateLimiter(IngressGatewayProperties properties) {
        return new RequestRateLimiter(properties.rateLimits().maxClientStates());
    }

    @Bean
    ConcurrentRequestLimiter concurrentRequestLimiter() {
        return new ConcurrentRequestLimiter();
    }

    @Bean
    LocalRateLimitFilter localRateLimitFilter(RequestRateLimiter requests, ConcurrentRequestLimiter connections,
                                              IngressGatewayProperties properties,
                                              ObjectProvider<MeterRegistry> registry) {
        IngressGatewayProperties.RateLimits settings = properties.rateLimits();
        return new LocalRateLimitFilter(requests, connections, HttpStatus.valueOf(settings.limitReqStatusCode()),
                HttpStatus.valueOf(settings.limitConnStatusCode()), registry.getIfAvailable(SimpleMeterRegistry::new));
    }
}
