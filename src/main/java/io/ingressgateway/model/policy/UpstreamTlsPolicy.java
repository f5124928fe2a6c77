package io.ingressgateway.model.policy;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * How the gateway's TLS connections to a route's upstream are made and checked, from its Ingress's
 * {@code proxy-ssl-*} annotations (the upstream TLS family), with the material of the {@code proxy-ssl-secret} Secret
 * already read by the translator. It applies only when the route's {@link BackendProtocolPolicy} is a TLS one
 * ({@code HTTPS}, {@code GRPCS}); the data plane builds one TLS client context per distinct policy.
 *
 * @param secret           {@code namespace/name} of the Secret as written in {@code proxy-ssl-secret}, or null
 * @param verify           whether the upstream's certificate is verified ({@code proxy-ssl-verify}, off by default)
 * @param verifyName       the name the certificate must be valid for and, with {@code sendServerName}, the SNI sent
 *                         ({@code proxy-ssl-name}); null: the Service's {@code name.namespace.svc}
 * @param sendServerName   whether SNI is sent ({@code proxy-ssl-server-name}, off by default)
 * @param verifyDepth      how many intermediate certificates may stand between the upstream's own and a trusted
 *                         CA ({@code proxy-ssl-verify-depth}, OpenSSL's verify depth: 1 by default)
 * @param protocols        the TLS versions offered ({@code proxy-ssl-protocols}); empty for the JDK's defaults
 * @param trusted          the CA certificates ({@code ca.crt}) the upstream's certificate must chain to
 * @param clientCertificate the certificate presented to the upstream ({@code tls.crt}, {@code tls.key}), or null
 * @param problem          why the Secret could not be used, or null: a policy with a problem refuses every upstream
 *                         certificate, so its requests fail (502) rather than go unverified
 */
public record UpstreamTlsPolicy(String secret, boolean verify, String verifyName, boolean sendServerName,
                                int verifyDepth, List<String> protocols, List<X509Certificate> trusted,
                                ClientCertificate clientCertificate, String problem) implements RoutePolicy {

    /**
     * A certificate the gateway presents to upstreams: a chain whose first certificate belongs to the key (checked
     * when the Secret was read).
     *
     * @param source {@code namespace/name} of its Secret
     */
    public record ClientCertificate(String source, List<X509Certificate> chain, PrivateKey privateKey) {

        public ClientCertificate {
            chain = List.copyOf(chain);
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }

        /** Never the key. */
        @Override
        public String toString() {
            return source + " (" + leaf().getSubjectX500Principal().getName() + ")";
        }
    }

    /** ingress-nginx's default {@code proxy-ssl-verify-depth}. */
    public static final int DEFAULT_VERIFY_DEPTH = 1;

    /** Nothing set: no verification, no SNI, no client certificate, the JDK's TLS versions. */
    public static final UpstreamTlsPolicy DEFAULTS = new UpstreamTlsPolicy(null, false, null, false,
            DEFAULT_VERIFY_DEPTH, List.of(), List.of(), null, null);

    public UpstreamTlsPolicy {
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
        trusted = trusted == null ? List.of() : List.copyOf(trusted);
    }

    /** This policy with the material of its Secret: CA certificates and an optional client certificate. */
    public UpstreamTlsPolicy withMaterial(List<X509Certificate> trustedCertificates, ClientCertificate certificate) {
        return new UpstreamTlsPolicy(secret, verify, verifyName, sendServerName, verifyDepth, protocols,
                trustedCertificates, certificate, null);
    }

    /** This policy refusing every upstream certificate, because its Secret cannot be used. */
    public UpstreamTlsPolicy unusable(String why) {
        return new UpstreamTlsPolicy(secret, verify, verifyName, sendServerName, verifyDepth, protocols, List.of(),
                null, why);
    }

    /** Short: the CA certificates by subject, never their encoding. */
    @Override
    public String toString() {
        return "UpstreamTlsPolicy[secret=" + secret + ", verify=" + verify + ", verifyName=" + verifyName
                + ", sendServerName=" + sendServerName + ", verifyDepth=" + verifyDepth + ", protocols=" + protocols
                + ", trusted=" + trusted.stream().map(ca -> ca.getSubjectX500Principal().getName()).toList()
                + ", clientCertificate=" + clientCertificate + ", problem=" + problem + "]";
    }

    /** Whether requests must fail: the Secret is unusable, or verification is on without a CA to verify against. */
    public boolean refusesEveryCertificate() {
        return problem != null || (verify && trusted.isEmpty());
    }
}
