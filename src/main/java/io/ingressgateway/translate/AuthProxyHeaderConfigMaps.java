package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ExternalAuthPolicy;
import io.ingressgateway.model.policy.ExternalAuthPolicy.ProxySetHeaders;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.ExternalAuthAnnotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puts the headers of an Ingress's {@code auth-proxy-set-headers} ConfigMap into its {@link ExternalAuthPolicy}, checked
 * as {@code custom-headers}' are ({@link CustomHeaderConfigMaps#read}): ingress-nginx denies the location when the
 * ConfigMap is missing, in another namespace, or has a key that is not a header name, so the route answers 503 rather
 * than asking the auth service without the headers it may rely on.
 */
final class AuthProxyHeaderConfigMaps {

    private AuthProxyHeaderConfigMaps() {
    }

    /**
     * Whether what was read from an Ingress depends on the ConfigMaps: also when its ConfigMap was missing or unusable
     * (the refused policy keeps the reference), so that its arrival or repair is seen.
     */
    static boolean readsConfigMaps(IngressRules.Extracted extracted) {
        ExternalAuthPolicy policy = extracted.policies().get(ExternalAuthPolicy.class);
        return policy != null && policy.proxySetHeaders() != null;
    }

    static IngressRules.Extracted resolve(IngressRules.Extracted extracted, Map<String, String> annotations,
                                          String namespace, Map<String, ConfigMap> configMaps) {
        ExternalAuthPolicy policy = extracted.policies().get(ExternalAuthPolicy.class);
        if (policy == null || policy.refusal() != null || policy.proxySetHeaders() == null) {
            return extracted;
        }
        CustomHeaderConfigMaps.Read read = CustomHeaderConfigMaps.read(policy.proxySetHeaders().configMap(),
                namespace, configMaps);
        List<Diagnostic> diagnostics = extracted.diagnostics();
        ExternalAuthPolicy resolved;
        if (read.problem() == null) {
            resolved = policy.withProxySetHeaders(new ProxySetHeaders(read.name(), read.headers()));
        } else {
            diagnostics = new ArrayList<>(diagnostics);
            String key = new AnnotationReader(annotations, diagnostics)
                    .keyOf(ExternalAuthAnnotations.PROXY_SET_HEADERS);
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), read.problem() + "; the Ingress's paths"
                    + " answer 503 until it is fixed, as ingress-nginx denies them: a route that asks for external"
                    + " authentication is never served without it"));
            resolved = ExternalAuthPolicy.refused(read.problem()).withProxySetHeaders(policy.proxySetHeaders());
        }
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies().with(resolved));
    }
}
