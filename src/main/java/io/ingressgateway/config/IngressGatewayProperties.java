package io.ingressgateway.config;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param tls                   the HTTPS listener, certificates, redirects and HSTS
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
        @DefaultValue Status status,
        @DefaultValue Tls tls) {

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

    /**
     * @param enabled            whether the HTTPS listener runs
     * @param port               port of the HTTPS listener (0 picks a free one)
     * @param defaultCertificate {@code namespace/name} of a TLS Secret served for unknown or missing SNI and for hosts
     *                           whose Secret is unusable; empty for a self-signed certificate generated at start
     * @param protocols          enabled TLS protocol versions
     * @param ciphers            enabled cipher suites (JDK names); empty for the built-in modern list
     * @param handshakeTimeout   time a client gets to complete its TLS handshake
     * @param redirectPort       HTTPS port as clients see it, used in redirects (443 is left out of the URL)
     * @param redirectCode       status of the HTTP to HTTPS redirect (301, 302, 307 or 308)
     * @param hsts               the Strict-Transport-Security header on HTTPS responses of hosts with TLS
     */
    public record Tls(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("8443") int port,
            @DefaultValue("") String defaultCertificate,
            @DefaultValue({"TLSv1.3", "TLSv1.2"}) List<String> protocols,
            @DefaultValue List<String> ciphers,
            @DefaultValue("10s") Duration handshakeTimeout,
            @DefaultValue("443") int redirectPort,
            @DefaultValue("308") int redirectCode,
            @DefaultValue Hsts hsts) {

        /**
         * @param enabled           whether the header is sent
         * @param maxAge            how long browsers remember to use HTTPS only
         * @param includeSubdomains whether the policy covers subdomains
         * @param preload           whether to ask for inclusion in browsers' preload lists
         */
        public record Hsts(
                @DefaultValue("true") boolean enabled,
                @DefaultValue("15724800s") Duration maxAge,
                @DefaultValue("true") boolean includeSubdomains,
                @DefaultValue("false") boolean preload) {
        }
    }
}
