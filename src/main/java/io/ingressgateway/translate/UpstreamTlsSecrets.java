package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.ProxySslAnnotations;
import io.ingressgateway.translate.certificates.InvalidCertificateException;
import io.ingressgateway.translate.certificates.ProxySslSecrets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puts the material of an Ingress's {@code proxy-ssl-secret} into its {@link UpstreamTlsPolicy}: the CA certificates
 * and the client certificate, read from the snapshot's Secrets. A Secret that is missing, in another namespace than
 * the Ingress (ingress-nginx refuses those too), or unreadable is a warning, and the policy then refuses every upstream
 * certificate: the requests fail rather than reach the upstream unverified or without their client certificate.
 */
final class UpstreamTlsSecrets {

    private UpstreamTlsSecrets() {
    }

    /** Whether what was read from an Ingress depends on the Secrets (and must be read again when they change). */
    static boolean readsSecrets(IngressRules.Extracted extracted) {
        UpstreamTlsPolicy policy = extracted.policies().get(UpstreamTlsPolicy.class);
        return policy != null && policy.secret() != null;
    }

    /** {@code extracted} with its upstream TLS policy's Secret read, and a warning when it cannot be used. */
    static IngressRules.Extracted resolve(IngressRules.Extracted extracted, Map<String, String> annotations,
                                          String namespace, TlsRules.Secrets secrets) {
        UpstreamTlsPolicy policy = extracted.policies().get(UpstreamTlsPolicy.class);
        if (policy == null || policy.secret() == null) {
            return extracted;
        }
        String name = policy.secret();
        UpstreamTlsPolicy resolved;
        String problem = null;
        if (!name.startsWith(namespace + "/")) {
            problem = "Secret " + name + " is not in the Ingress's namespace " + namespace
                    + "; only Secrets of the Ingress's own namespace are read";
        } else {
            Secret secret = secrets.find(name);
            if (secret == null) {
                // From a cluster, a referenced Secret of any type is read (the source follows the annotation).
                problem = "Secret " + name + " not found";
            } else {
                try {
                    ProxySslSecrets.Material material = ProxySslSecrets.read(name, secret);
                    if (policy.verify() && material.trusted().isEmpty()) {
                        problem = "Secret " + name + " has no " + ProxySslSecrets.CA_KEY + " to verify the upstream"
                                + " against";
                    }
                    TlsCertificate client = material.clientCertificate();
                    resolved = policy.withMaterial(material.trusted(), client == null ? null
                            : new UpstreamTlsPolicy.ClientCertificate(client.source(), client.chain(),
                                    client.privateKey()));
                    if (problem == null) {
                        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(),
                                extracted.diagnostics(), extracted.policies().with(resolved));
                    }
                } catch (InvalidCertificateException | RuntimeException e) {
                    problem = "Secret " + name + ": " + e.getMessage();
                }
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>(extracted.diagnostics());
        String key = new AnnotationReader(annotations, diagnostics).keyOf(ProxySslAnnotations.SECRET);
        diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), problem + "; requests to this Ingress's HTTPS and GRPCS upstreams fail"
                + " (502)"));
        resolved = policy.unusable(problem);
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies().with(resolved));
    }
}
