package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.config.IngressGatewayProperties.Resilience;
import io.ingressgateway.gateway.accesslog.AccessLog;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.policy.UpstreamPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.resolver.AddressResolverGroup;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientFactory;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.http.client.HttpClient;

/**
 * Per-upstream guards around the data plane. The gateway declares its client factory only when none exists, so the
 * bounded one here takes its place; its HTTP routing filter is swapped for the guarded one by a post-processor.
 */
@Configuration(proxyBeanMethods = false)
public class ResilienceConfiguration {

    /**
     * The name of an optional {@link AddressResolverGroup} bean that looks up ExternalName upstreams' names in the
     * place of the upstream client's own DNS resolver. None in production; a test declares one to have names resolve
     * where it needs without a network.
     */
    public static final String EXTERNAL_NAME_DNS = "externalNameDns";

    @Bean
    UpstreamGuards upstreamGuards(IngressGatewayProperties properties, MeterRegistry registry) {
        Resilience defaults = properties.resilience();
        validate(defaults);
        return new UpstreamGuards(defaults, registry);
    }

    @Bean
    UpstreamGuardFilter upstreamGuardFilter(UpstreamGuards guards) {
        return new UpstreamGuardFilter(guards);
    }

    @Bean
    UpstreamAttemptFilter upstreamAttemptFilter(GatewayRouteModel routeModel, UpstreamGuards guards) {
        return new UpstreamAttemptFilter(routeModel, guards);
    }

    /** Static: a post-processor is created before other beans, and must not pull them in early. */
    @Bean
    static GuardedRoutingFilterInstaller guardedRoutingFilterInstaller(ObjectProvider<HttpClient> httpClient,
            ObjectProvider<List<HttpHeadersFilter>> headersFilters, ObjectProvider<HttpClientProperties> properties,
            ObjectProvider<ExternalNameAddresses> externalNameAddresses,
            @Qualifier(EXTERNAL_NAME_DNS) ObjectProvider<AddressResolverGroup<?>> externalNameDns,
            ObjectProvider<AccessLog> accessLog) {
        return new GuardedRoutingFilterInstaller(httpClient, headersFilters, properties, externalNameAddresses,
                externalNameDns, accessLog);
    }

    /**
     * The judge of ExternalName upstreams' addresses: the configured policy (the translator refuses what it can tell
     * from the name alone) with the gateway's own interface addresses added.
     */
    @Bean
    ExternalNameAddresses externalNameAddresses(IngressGatewayProperties properties, MeterRegistry registry) {
        IngressGatewayProperties.ExternalNameServices settings = properties.externalNameServices();
        return new ExternalNameAddresses(ExternalNamePolicy.of(settings.enabled(), settings.deniedCidrs(),
                settings.allowedCidrs()).withGatewayAddresses(ExternalNameAddresses.interfaceAddresses()), registry);
    }

    @Bean
    HttpClientFactory gatewayHttpClientFactory(HttpClientProperties properties, ServerProperties serverProperties,
                                               List<HttpClientCustomizer> customizers,
                                               HttpClientSslConfigurer sslConfigurer,
                                               IngressGatewayProperties gatewayProperties) {
        return new BoundedPoolHttpClientFactory(properties, serverProperties, sslConfigurer, customizers,
                gatewayProperties.resilience().upstreamPool());
    }

    /** Refuses to start on defaults no guard could be built from, rather than failing on the first model. */
    static void validate(Resilience defaults) {
        require(defaults.connectTimeout().compareTo(java.time.Duration.ZERO) > 0, "connect-timeout must be positive");
        require(defaults.readTimeout().compareTo(java.time.Duration.ZERO) > 0, "read-timeout must be positive");
        require(defaults.sendTimeout().compareTo(java.time.Duration.ZERO) > 0, "send-timeout must be positive");
        require(defaults.maxConcurrentRequests() > 0, "max-concurrent-requests must be positive");
        require(defaults.retries() >= 0, "retries must not be negative");
        require(!defaults.retryAfter().isNegative(), "retry-after must not be negative");
        Resilience.UpstreamPool pool = defaults.upstreamPool();
        require(pool.maxConnections() > 0, "upstream-pool.max-connections must be positive");
        require(pool.maxPendingAcquires() >= 0, "upstream-pool.max-pending-acquires must not be negative");
        require(pool.pendingAcquireTimeout().compareTo(java.time.Duration.ZERO) > 0, "upstream-pool.pending-acquire-timeout must be positive");
        try {
            UpstreamGuard.circuitBreakerConfig(GuardPolicy.resolve(UpstreamPolicy.DEFAULTS, defaults));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ingress-gateway.resilience.circuit-breaker: " + e.getMessage(), e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException("ingress-gateway.resilience." + message);
        }
    }
}
