package io.ingressgateway.model.policy;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Client certificate authentication of one host ({@code auth-tls-*}), with the CA certificates of its
 * {@code auth-tls-secret} already read by the translator. As in ingress-nginx it applies to the whole host, not to
 * some of its paths: the translator puts the host's one policy (its oldest Ingress's that asks for it) on every route
 * of the host, and the data plane requests certificates in the TLS handshakes for the host's name.
 *
 * @param secret       {@code namespace/name} of the Secret holding {@code ca.crt}
 * @param verify       how the client's certificate is asked for and checked ({@code auth-tls-verify-client})
 * @param verifyDepth  how many certificates may stand between the client's own and a trusted CA, itself included
 *                     ({@code auth-tls-verify-depth}, OpenSSL's verify depth: 1, a certificate the CA signed)
 * @param errorPage    where a client whose certificate fails is redirected (302) instead of a 400
 *                     ({@code auth-tls-error-page}); null for the 400
 * @param passCertificate whether the client's certificate goes to the upstream in {@code ssl-client-cert}
 *                     ({@code auth-tls-pass-certificate-to-upstream})
 * @param matchCn      a regular expression the certificate's subject must contain a match of ({@code auth-tls-match-cn},
 *                     written with its {@code CN=} as in ingress-nginx), else 403; null for no check
 * @param trusted      the CA certificates a client's certificate must chain to
 * @param problem      why the host's client certificate settings cannot be used, or null: such a host answers 403 to
 *                     every request (ingress-nginx denies a server whose {@code auth-tls-secret} it cannot use) rather
 *                     than serve it without the authentication its Ingress asks for
 */
public record ClientCertificatePolicy(String secret, Verify verify, int verifyDepth, String errorPage,
                                      boolean passCertificate, String matchCn, List<X509Certificate> trusted,
                                      String problem) implements RoutePolicy {

    /** ingress-nginx's default {@code auth-tls-verify-depth}. */
    public static final int DEFAULT_VERIFY_DEPTH = 1;

    /** The values of {@code auth-tls-verify-client}, as nginx's {@code ssl_verify_client}. */
    public enum Verify {
        /** A certificate the CAs signed is required: none, or one that fails, is a 400. */
        ON("on"),
        /** No certificate is asked for nor checked. */
        OFF("off"),
        /** A certificate is asked for; without one the request goes on, one that fails is a 400. */
        OPTIONAL("optional"),
        /** A certificate is asked for and checked, but the request goes on whatever the result. */
        OPTIONAL_NO_CA("optional_no_ca");

        private final String value;

        Verify(String value) {
            this.value = value;
        }

        /** As written in the annotation. */
        public String value() {
            return value;
        }

        /** The mode written as {@code value}, or null. */
        public static Verify of(String value) {
            for (Verify verify : values()) {
                if (verify.value.equals(value)) {
                    return verify;
                }
            }
            return null;
        }
    }

    public ClientCertificatePolicy {
        trusted = trusted == null ? List.of() : List.copyOf(trusted);
    }

    /** This policy with the CA certificates of its Secret. */
    public ClientCertificatePolicy withTrusted(List<X509Certificate> certificates) {
        return new ClientCertificatePolicy(secret, verify, verifyDepth, errorPage, passCertificate, matchCn,
                certificates, null);
    }

    /** This policy refusing every request of its host (403), because {@code why}. */
    public ClientCertificatePolicy unusable(String why) {
        return new ClientCertificatePolicy(secret, verify, verifyDepth, errorPage, passCertificate, matchCn, List.of(),
                why);
    }

    /** Whether TLS handshakes for the host ask the client for a certificate. */
    public boolean requestsCertificate() {
        return problem == null && verify != Verify.OFF;
    }

    /** Short: the CA certificates by subject, never their encoding. */
    @Override
    public String toString() {
        return "ClientCertificatePolicy[secret=" + secret + ", verify=" + verify.value() + ", verifyDepth="
                + verifyDepth + ", errorPage=" + errorPage + ", passCertificate=" + passCertificate + ", matchCn="
                + matchCn + ", trusted=" + trusted.stream().map(ca -> ca.getSubjectX500Principal().getName()).toList()
                + ", problem=" + problem + "]";
    }
}
