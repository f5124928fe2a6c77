package io.ingressgateway.status;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.config.KubernetesSourceCondition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Ingress status and diagnostics Events, written by the elected leader. Only when cluster state comes from an API
 * server: manifests have no status to write.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(KubernetesSourceCondition.class)
public class StatusConfiguration {

    @Bean
    LeaderElection ingressStatusLeaderElection(KubernetesClient client, IngressGatewayProperties properties) {
        return new LeaderElection(client, LeaderElection.Settings.resolve(properties.status(), System.getenv()),
                LeaderElection.Timing.DEFAULT);
    }

    @Bean
    PublishAddressResolver publishAddressResolver(KubernetesClient client, IngressGatewayProperties properties) {
        return new PublishAddressResolver(client, properties.status().publishAddress(),
                properties.status().publishService());
    }

    @Bean(destroyMethod = "close")
    IngressStatusWriter ingressStatusWriter(KubernetesClient client, LeaderElection election,
                                            PublishAddressResolver addressResolver) {
        return new IngressStatusWriter(client, election, addressResolver);
    }

    @Bean
    MeterBinder ingressStatusLeaderMetrics(LeaderElection election) {
        return registry -> Gauge.builder("ingress.gateway.leader", election, e -> e.isLeader() ? 1 : 0)
                .description("1 while this replica leads and writes Ingress status, else 0")
                .register(registry);
    }
}
