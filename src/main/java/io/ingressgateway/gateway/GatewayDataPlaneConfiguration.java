package io.ingressgateway.gateway;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.access.SourceRangeFilter;
import io.ingressgateway.gateway.client.ClientAddressWebFilter;
import io.ingressgateway.gateway.filter.GlobalFilterChainWebHandler;
import io.ingressgateway.gateway.filter.RequestBodyFilter;
import io.ingressgateway.gateway.lookup.IngressRouteHandlerMapping;
import io.ingressgateway.gateway.lookup.PreflightRoutingWebFilter;
import io.ingressgateway.gateway.metrics.RouteTimerFilter;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.GatewayMetricsProperties;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.filter.GatewayMetricsFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.support.tagsprovider.GatewayHttpTagsProvider;
import org.springframework.cloud.gateway.support.tagsprovider.GatewayRouteTagsProvider;
import org.springframework.cloud.gateway.support.tagsprovider.GatewayTagsProvider;
import org.springframework.cloud.gateway.support.tagsprovider.PropertiesTagsProvider;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.accept.ApiVersionStrategy;

/**
 * The data plane's place in Spring Cloud Gateway. The gateway declares its handler mapping and its filter chain
 * handler only when none exists ({@code @ConditionalOnMissingBean}), so these take their places rather than running
 * beside them:
 * <ul>
 *   <li>the indexed route lookup ({@link IngressRouteHandlerMapping}), in the place of the stock ordered scan;</li>
 *   <li>a filter chain shared by every route without filters of its own ({@link GlobalFilterChainWebHandler}), with
 *       the gateway's route timer ({@link GatewayMetricsFilter}) swapped for {@link RouteTimerFilter}, which records
 *       the same meter without a registry lookup per request, as long as only the gateway's standard tags are asked
 *       for; with any other tags provider (path tags, an application's own) the stock filter stays.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class GatewayDataPlaneConfiguration {

    /** Request body limits and buffering (the request body annotation family's filter). */
    @Bean
    RequestBodyFilter requestBodyFilter(IngressGatewayProperties properties) {
        return new RequestBodyFilter(properties.requestBody());
    }

    /** Who the client is, decided once per request before anything reads it (PROXY protocol, trusted proxies). */
    @Bean
    ClientAddressWebFilter clientAddressWebFilter(IngressGatewayProperties properties) {
        return new ClientAddressWebFilter(properties.clientAddress());
    }

    /** Allow and deny lists of client addresses (the source range family's filter, and the global lists). */
    @Bean
    SourceRangeFilter sourceRangeFilter(IngressGatewayProperties properties) {
        return new SourceRangeFilter(properties.sourceRanges());
    }

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

    @Bean
    PreflightRoutingWebFilter preflightRoutingWebFilter(IngressRouteHandlerMapping mapping) {
        return new PreflightRoutingWebFilter(mapping);
    }

    @Bean
    FilteringWebHandler filteringWebHandler(List<GlobalFilter> globalFilters, GatewayProperties properties,
                                            ObjectProvider<MeterRegistry> registry,
                                            ObjectProvider<GatewayMetricsProperties> metricsProperties,
                                            ObjectProvider<GatewayTagsProvider> tagsProviders,
                                            ObjectProvider<PrometheusConfig> prometheusConfig,
                                            RouteLocator routeLocator) {
        // The rotation of a timer's maximum, as the registry gives its timers: the Prometheus step, else the default.
        PrometheusConfig prometheus = prometheusConfig.getIfAvailable();
        Duration maxRotation = prometheus != null ? prometheus.step()
                : DistributionStatisticConfig.DEFAULT.getExpiry();
        return new GlobalFilterChainWebHandler(
                withRouteTimer(globalFilters, registry.getIfAvailable(), metricsProperties.getIfAvailable(),
                        tagsProviders.orderedStream().toList(), routeLocator, maxRotation),
                properties.isRouteFilterCacheEnabled());
    }

    /**
     * The route timer follows the routes: told of each finished refresh. (It is not a bean of its own, so it hears of
     * refreshes through the chain that runs it.)
     */
    @Bean
    ApplicationListener<RefreshRoutesResultEvent> routeTimerRetention(FilteringWebHandler handler) {
        return event -> {
            if (handler instanceof GlobalFilterChainWebHandler chain) {
                chain.globalFilters().stream().filter(RouteTimerFilter.class::isInstance)
                        .map(RouteTimerFilter.class::cast).forEach(timer -> timer.onApplicationEvent(event));
            }
        };
    }

    /** The global filters with the stock route timer replaced by the cached one, when that records the same. */
    static List<GlobalFilter> withRouteTimer(List<GlobalFilter> filters, MeterRegistry registry,
                                            GatewayMetricsProperties metrics, List<GatewayTagsProvider> providers,
                                            RouteLocator routeLocator, Duration maxRotation) {
        GatewayMetricsFilter stock = filters.stream().filter(GatewayMetricsFilter.class::isInstance)
                .map(GatewayMetricsFilter.class::cast).findFirst().orElse(null);
        boolean standardTagsOnly = providers.stream().allMatch(p -> p instanceof GatewayHttpTagsProvider
                || p instanceof GatewayRouteTagsProvider || p instanceof PropertiesTagsProvider);
        if (stock == null || registry == null || metrics == null || !standardTagsOnly) {
            return filters;
        }
        Map<String, String> staticTags = metrics.getTags() == null ? Map.of() : metrics.getTags();
        RouteTimerFilter cached = new RouteTimerFilter(registry, routeLocator, stock.getMetricsPrefix(), staticTags,
                stock.getOrder(), maxRotation);
        return filters.stream().map(f -> f == stock ? (GlobalFilter) cached : f).toList();
    }
}
