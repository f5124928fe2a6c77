package io.ingressgateway.ops;

import io.ingressgateway.edge.EventLoopWatchdog;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The contributors of the Kubernetes probes beyond Boot's own: {@code eventLoops} in liveness, {@code publicListener}
 * in readiness (with {@code routeModel}). The bean names are the contributor names application.yaml's groups use.
 */
@Configuration(proxyBeanMethods = false)
public class ProbesConfiguration {

    @Bean
    EventLoopHealthIndicator eventLoopsHealthIndicator(EventLoopWatchdog watchdog) {
        return new EventLoopHealthIndicator(watchdog);
    }

    @Bean
    PublicListenerHealthIndicator publicListenerHealthIndicator(ApplicationContext context) {
        return new PublicListenerHealthIndicator(context);
    }
}
