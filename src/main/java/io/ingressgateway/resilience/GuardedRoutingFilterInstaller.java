package io.ingressgateway.resilience;

import io.ingressgateway.gateway.accesslog.AccessLog;
import io.netty.resolver.AddressResolverGroup;
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
    private final ObjectProvider<ExternalNameAddresses> externalNameAddresses;
    private final ObjectProvider<AddressResolverGroup<?>> externalNameDns;
    private final ObjectProvider<AccessLog> accessLog;

    /**
     * @param externalNameDns a DNS resolver for ExternalName upstreams in the place of the upstream client's own, when
     *                        there is one (a test's, for names no real DNS has)
     */
    GuardedRoutingFilterInstaller(ObjectProvider<HttpClient> httpClient,
                                  ObjectProvider<List<HttpHeadersFilter>> headersFilters,
                                  ObjectProvider<HttpClientProperties> properties,
                                  ObjectProvider<ExternalNameAddresses> externalNameAddresses,
                                  ObjectProvider<AddressResolverGroup<?>> externalNameDns,
                                  ObjectProvider<AccessLog> accessLog) {
        this.httpClient = httpClient;
        this.headersFilters = headersFilters;
        this.properties = properties;
        this.externalNameAddresses = externalNameAddresses;
        this.externalNameDns = externalNameDns;
        this.accessLog = accessLog;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean.getClass() == NettyRoutingFilter.class) {
            HttpClient client = httpClient.getObject();
            return new GuardedNettyRoutingFilter(client, headersFilters, properties.getObject(),
                    new ExternalNameResolverGroup(externalNameDns.getIfAvailable(() -> dnsOf(client)),
                            externalNameAddresses.getObject()),
                    accessLog.getIfAvailable(() -> new AccessLog(null)).enabled());
        }
        return bean;
    }

    /** The resolver the client itself would use: its own, else Reactor Netty's default (asynchronous DNS). */
    private static AddressResolverGroup<?> dnsOf(HttpClient client) {
        AddressResolverGroup<?> configured = client.configuration().resolver();
        return configured != null ? configured : client.configuration().defaultAddressResolverGroup();
    }
}
