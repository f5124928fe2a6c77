package io.ingressgateway.config;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything configurable about the controller, under the prefix {@code ingress-gateway}. See README for each key.
 *
 * @param ingressClass          name of our IngressClass; also accepted in the legacy {@code kubernetes.io/ingress.class}
 *                              annotation
 * @param controllerName        the {@code spec.controller} value of IngressClasses that are ours
 * @param watchNamespaces       namespaces to watch; empty watches all
 * @param source                {@code auto} (Kubernetes when a cluster is configured, else the manifest directory),
 *                              {@code kubernetes} or {@code manifests}
 * @param manifestsDir          directory of YAML manifests served when the source is {@code manifests}
 * @param defaultBackendService {@code namespace/name:port} of a Service answering requests that match no rule;
 *                              empty for the built-in 404
 * @param kubernetes            how to reach the API server when not relying on in-cluster or kubeconfig settings
 * @param status                how Ingress status is written
 */
@ConfigurationProperties("ingress-gateway")
public record IngressGatewayProperties(
        @DefaultValue("ingress-gateway") String ingressClass,
        @DefaultValue("ingress-gateway.io/controller") String controllerName,
        @DefaultValue List<String> watchNamespaces,
        @DefaultValue("auto") SourceMode source,
        @DefaultValue("config") Path manifestsDir,
        @DefaultValue("") String defaultBackendService,
        @DefaultValue Kubernetes kubernetes,
        @DefaultValue Status status) {

    public enum SourceMode { AUTO, KUBERNETES, MANIFESTS }

    /**
     * @param masterUrl API server URL; empty to connect as kubectl does (in-cluster service account, else
     *                  {@code KUBECONFIG} or {@code ~/.kube/config})
     */
    public record Kubernetes(@DefaultValue("") String masterUrl) {
    }

    /**
     * @param publishAddress  addresses (IPs or host names, comma separated) written to {@code status.loadBalancer}
     * @param publishService  {@code namespace/name} of the gateway's own Service, whose address is written when no
     *                        publish address is set
     * @param leaseName       name of the Lease used for leader election
     * @param leaseNamespace  namespace of the Lease; empty for the pod's namespace ({@code POD_NAMESPACE})
     * @param identity        this replica's identity in the election; empty for the host name
     */
    public record Status(
            @DefaultValue("") String publishAddress,
            @DefaultValue("") String publishService,
            @DefaultValue("ingress-gateway-leader") String leaseName,
            @DefaultValue("") String leaseNamespace,
            @DefaultValue("") String identity) {
    }
}
