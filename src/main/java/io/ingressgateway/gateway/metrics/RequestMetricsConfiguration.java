package io.ingressgateway.gateway.metrics;

import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The per-request metrics ({@link RequestMetrics}), unless {@code ingress-gateway.metrics.requests-enabled} is false:
 * exported through the Prometheus registry the {@code /actuator/prometheus} endpoint scrapes, and fed by two gateway
 * filters, one around the whole chain and one marking the upstream call's start.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "ingress-gateway.metrics.requests-enabled", matchIfMissing = true)
public class RequestMetricsConfiguration {

    /**
     * The least time between two sweeps of the series of gone Ingresses: a sweep walks every served route, so a
     * stream of route changes (one Ingress after the other applied) costs one walk per interval, not one per change.
     */
    static final long PRUNE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** The collector, registered with the Prometheus registry while the context lives. */
    static final class Registration implements DisposableBean {

        private final RequestMetrics metrics;
        private final PrometheusRegistry registry;

        Registration(RequestMetrics metrics, PrometheusRegistry registry) {
            this.metrics = metrics;
            this.registry = registry;
            if (registry != null) {
                registry.register(metrics);
            }
        }

        RequestMetrics metrics() {
            return metrics;
        }

        @Override
        public void destroy() {
            if (registry != null) {
                registry.unregister(metrics);
            }
        }
    }

    @Bean
    Registration requestMetricsRegistration(IngressRouteLocator routes, ObjectProvider<PrometheusRegistry> registry) {
        RequestMetrics metrics = new RequestMetrics(routes::served, PRUNE_INTERVAL_NANOS);
        routes.onChange(metrics::routesChanged);
        return new Registration(metrics, registry.getIfAvailable());
    }

    @Bean
    RequestMetricsFilter requestMetricsFilter(Registration registration) {
        return new RequestMetricsFilter(registration.metrics());
    }

    @Bean
    RequestMetricsFilter.UpstreamStart requestMetricsUpstreamStart() {
        return new RequestMetricsFilter.UpstreamStart();
    }
}
