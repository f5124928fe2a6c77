package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.ClientCertificateAnnotations;
import io.ingressgateway.translate.certificates.InvalidCertificateException;
import io.ingressgateway.translate.certificates.ProxySslSecrets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Puts the CA certificates of an Ingress's {@code auth-tls-secret} ({@code ca.crt}) into its
 * {@link ClientCertificatePolicy}, read from the snapshot's Secrets. A Secret that is missing, in another namespace
 * than the Ingress (ingress-nginx refuses those unless its operator allows cross-namespace resources), without a
 * readable {@code ca.crt}, is a warning, and the policy then refuses every request of the Ingress's hosts (403), as
 * ingress-nginx denies a server whose client certificate Secret it cannot use. (Where ingress-nginx serves a host
 * whose Secret has no {@code ca.crt} without client authentication, here it is refused too: an Ingress that asks for
 * client certificates is never served without them.)
 */
final class ClientCertificateSecrets {

    private ClientCertificateSecrets() {
    }

    /** Whether what was read from an Ingress depends on the Secrets (and must be read again when they change). */
    static boolean readsSecrets(IngressRules.Extracted extracted) {
        ClientCertificatePolicy policy = extracted.policies().get(ClientCertificatePolicy.class);
        return policy != null && policy.secret() != null;
    }

    /** {@code extracted} with its client certificate policy's CA certificates read, or refusing with a warning. */
    static IngressRules.Extracted resolve(IngressRules.Extracted extracted, Map<String, String> annotations,
                                          String namespace, TlsRules.Secrets secrets) {
        ClientCertificatePolicy policy = extracted.policies().get(ClientCertificatePolicy.class);
        if (policy == null || policy.secret() == null || policy.problem() != null) {
            return extracted;
        }
        String name = policy.secret().contains("/") ? policy.secret() : namespace + "/" + policy.secret();
        String problem;
        if (!name.startsWith(namespace + "/")) {
            problem = "Secret " + name + " is not in the Ingress's namespace " + namespace
                    + "; only Secrets of the Ingress's own namespace are read";
        } else {
            Secret secret = secrets.find(name);
            if (secret == null) {
                problem = "Secret " + name + " not found";
            } else {
                problem = null;
                try {
                    List<X509Certificate> trusted = ProxySslSecrets.caCertificates(secret);
                    if (trusted.isEmpty()) {
                        problem = "Secret " + name + " has no " + ProxySslSecrets.CA_KEY
                                + " to verify client certificates against";
                    } else {
                        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(),
                                extracted.diagnostics(), extracted.policies().with(policy.withTrusted(trusted)));
                    }
                } catch (InvalidCertificateException | RuntimeException e) {
                    problem = "Secret " + name + ": " + e.getMessage();
                }
            }
        }
        List<Diagnostic> diagnostics = new ArrayList<>(extracted.diagnostics());
        String key = new AnnotationReader(annotations, diagnostics).keyOf(ClientCertificateAnnotations.SECRET);
        diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), problem + "; every request to this Ingress's"
                + " hosts is refused (403) rather than served without client certificates"));
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies().with(policy.unusable(problem)));
    }
}
