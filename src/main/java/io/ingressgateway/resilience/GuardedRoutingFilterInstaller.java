package io.ingressgateway.resilience;

import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import reactor.netty.http.client.HttpClient;

/**
 * Puts {@link GuardedNettyRoutingFilter} in the place of the gateway's own HTTP routing filter. The gateway declares
 * that filter unconditionally, and the property that switches it off also switches off the filter writing response
 * bodies, so the instance is swapped instead; with the same client, headers filters and properties.
 */
final class GuardedRoutingFilterInstaller implements BeanPostProcessor {

    private final ObjectProvider<HttpClient> httpClient;
    private final ObjectProvider<List<HttpHeadersFilter>> headersFilters;
    private final ObjectProvider<HttpClientProperties> properties;

    GuardedRoutingFilterInstaller(ObjectProvider<HttpClient> httpClient,
                                  ObjectProvider<List<HttpHeadersFilter>> headersFilters,
                                  ObjectProvider<HttpClientProperties> properties) {
        this.httpClient = httpClient;
        this.headersFilters = headersFilters;
        this.properties = properties;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean.getClass() == NettyRoutingFilter.class) {
            return new GuardedNettyRoutingFilter(httpClient.getObject(), headersFilters, properties.getObject());
        }
        return bean;
    }
}
