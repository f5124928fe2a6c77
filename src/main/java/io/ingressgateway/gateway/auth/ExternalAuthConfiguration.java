package io.ingressgateway.gateway.auth;

import io.ingressgateway.config.IngressGatewayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/** External authentication's filter and its client. */
@Configuration(proxyBeanMethods = false)
public class ExternalAuthConfiguration {

    /**
     * On the public listener's event loops (the main context's resource factory): the auth call of a request runs on
     * the loop already serving it, and neither on the management server's loops nor on Reactor Netty's global ones.
     */
    @Bean(destroyMethod = "close")
    ExternalAuthClient externalAuthClient(IngressGatewayProperties properties,
                                          ObjectProvider<ReactorResourceFactory> resources) {
        IngressGatewayProperties.ExternalAuth settings = properties.externalAuth();
        ReactorResourceFactory factory = resources.getIfAvailable();
        return new ExternalAuthClient(settings.connectTimeout(), settings.timeout(), settings.maxConnections(),
                factory == null || factory.isUseGlobalResources() ? null : factory.getLoopResources());
    }

    @Bean
    ExternalAuthFilter externalAuthFilter(ExternalAuthClient client, IngressGatewayProperties properties,
                                          ObjectProvider<MeterRegistry> registry) {
        return new ExternalAuthFilter(client, properties.externalAuth().cacheMaxEntries(),
                registry.getIfAvailable());
    }
}
