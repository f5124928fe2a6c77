package io.ingressgateway.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.config.IngressGatewayProperties.SourceMode;
import io.ingressgateway.config.KubernetesSourceCondition;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.pipeline.RouteModelListener;
import io.ingressgateway.source.ClusterStateSource;
import io.ingressgateway.source.KubernetesClusterSource;
import io.ingressgateway.source.ManifestDirectorySource;
import io.ingressgateway.translate.HostOwnershipRule;
import io.ingressgateway.translate.IngressTranslator;
import io.ingressgateway.translate.TranslatorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the pipeline: a source of cluster state, the translator, and every {@link RouteModelListener} in the context.
 */
@Configuration(proxyBeanMethods = false)
public class ControllerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ControllerConfiguration.class);

    /**
     * The API client, built as kubectl connects: the configured master URL, else the in-cluster service account,
     * else {@code KUBECONFIG} / {@code ~/.kube/config}. Only exists when the source is Kubernetes.
     */
    @Bean(destroyMethod = "close")
    @Conditional(KubernetesSourceCondition.class)
    KubernetesClient ingressGatewayKubernetesClient(IngressGatewayProperties properties) {
        Config config = properties.kubernetes().masterUrl().isBlank()
                ? Config.autoConfigure(null)
                : new ConfigBuilder(Config.empty()).withMasterUrl(properties.kubernetes().masterUrl()).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    @Bean(destroyMethod = "close")
    ClusterStateSource clusterStateSource(IngressGatewayProperties properties,
                                          ObjectProvider<KubernetesClient> client) {
        if (KubernetesSourceCondition.resolve(properties.source()) == SourceMode.KUBERNETES) {
            return new KubernetesClusterSource(client.getObject(), properties.watchNamespaces());
        }
        Path dir = properties.manifestsDir().toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            log.warn("Manifest directory {} does not exist; serving nothing until it appears", dir);
        }
        return new ManifestDirectorySource(dir);
    }

    @Bean
    IngressTranslator ingressTranslator(IngressGatewayProperties properties) {
        List<HostOwnershipRule> ownership = properties.hostOwnership().stream()
                .map(rule -> new HostOwnershipRule(rule.namespaces(), rule.hosts()))
                .toList();
        IngressGatewayProperties.ExternalNameServices externalNames = properties.externalNameServices();
        return new IngressTranslator(new TranslatorSettings(properties.ingressClass(), properties.controllerName(),
                properties.defaultBackendService(), properties.tls().defaultCertificate(),
                ExternalNamePolicy.of(externalNames.enabled(), externalNames.deniedCidrs(),
                        externalNames.allowedCidrs()),
                ownership,
                properties.defaultBackendPrecedence() == IngressGatewayProperties.DefaultBackendPrecedence.CONFIGURED)
                .withGlobalRateLimitStore(properties.globalRateLimit().redis().configured()));
    }

    @Bean(destroyMethod = "close")
    ControllerPipeline controllerPipeline(ClusterStateSource source, IngressTranslator translator,
                                          ObjectProvider<RouteModelListener> listeners,
                                          ObjectProvider<PipelineObserver> observer) {
        return new ControllerPipeline(source, translator, listeners.stream().toList(),
                observer.getIfUnique(() -> PipelineObserver.NONE));
    }

    /** Starts the pipeline once every bean (the gateway's route locator among them) exists. */
    @Bean
    SmartLifecycle controllerPipelineLifecycle(ControllerPipeline pipeline) {
        // The pipeline starts once and runs until its source is closed with the context. A stop and start of the
        // context (Spring's test context cache pauses and resumes the contexts it keeps) only flips the flag: the
        // sources watch from their first start and cannot be started twice.
        return new SmartLifecycle() {
            private final AtomicBoolean pipelineStarted = new AtomicBoolean();
            private volatile boolean running;

            @Override
            public void start() {
                if (pipelineStarted.compareAndSet(false, true)) {
                    pipeline.start();
                }
                running = true;
            }

            @Override
            public void stop() {
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }

}
