package io.ingressgatewaymanagement;

import io.ingressgateway.config.IngressGatewayProperties;
import java.time.Duration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

/**
 * Runs the management server (probes, metrics, Actuator) on event loops of its own, {@code management-http-*}, so
 * that a flood on the public listener or a stuck gateway loop never delays a kubelet probe.
 *
 * <p>Boot loads this class into the management child context only (it is listed in
 * {@code META-INF/spring/...ManagementContextConfiguration.imports}). It lives outside the {@code io.ingressgateway}
 * package on purpose: component scanning would also load it into the main context, where its customizer would move
 * the public listener onto these loops. Without a separate management port there is no child context and no
 * isolation.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class ManagementServerEventLoops {

    static final String PREFIX = "management-http";

    @Bean(destroyMethod = "close")
    ManagementLoops managementLoops(IngressGatewayProperties properties) {
        return new ManagementLoops(LoopResources.create(PREFIX, properties.eventLoops().managementThreads(), true));
    }

    /**
     * The child's server factory receives the main context's resource factory (the public listener's loops) by
     * injection; this replaces it with one over the management loops. The factory is not a bean, so it neither
     * competes with the main context's one nor manages the loops itself.
     */
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> managementServerEventLoops(ManagementLoops loops) {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        resources.setLoopResources(loops.resources());
        return factory -> factory.setResourceFactory(resources);
    }

    /** Owns the management loops; disposed when the management context closes, after its server has stopped. */
    record ManagementLoops(LoopResources resources) implements AutoCloseable {

        @Override
        public void close() {
            resources.disposeLater(Duration.ofMillis(100), Duration.ofSeconds(5)).block(Duration.ofSeconds(6));
        }
    }
}
