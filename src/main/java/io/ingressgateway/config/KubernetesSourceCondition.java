package io.ingressgateway.config;

import io.ingressgateway.config.IngressGatewayProperties.SourceMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Decides whether cluster state comes from an API server. {@code auto} means: yes when a cluster is configured the
 * way kubectl finds one (in a pod, {@code KUBECONFIG}, or {@code ~/.kube/config}), otherwise the manifest directory.
 */
public final class KubernetesSourceCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String value = context.getEnvironment().getProperty("ingress-gateway.source", "auto");
        SourceMode mode = SourceMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        return resolve(mode) == SourceMode.KUBERNETES;
    }

    public static SourceMode resolve(SourceMode mode) {
        if (mode != SourceMode.AUTO) {
            return mode;
        }
        return clusterConfigured() ? SourceMode.KUBERNETES : SourceMode.MANIFESTS;
    }

    static boolean clusterConfigured() {
        if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            return true;
        }
        String kubeconfig = System.getenv("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            return true;
        }
        return Files.isRegularFile(Path.of(System.getProperty("user.home"), ".kube", "config"));
    }
}
