package io.ingressgateway.tls;

import io.ingressgateway.model.policy.ClientCertificatePolicy;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the certificate a client presented against a host's {@link ClientCertificatePolicy}, as OpenSSL does for
 * nginx's {@code ssl_verify_client}: the certificate must be valid now, chain (through the intermediates the client
 * sent) to one of the host's CA certificates within the verify depth, and, when it names its purposes, be meant for
 * client authentication. Revocation is not checked ({@code ca.crl} is not read).
 */
final class ClientCertificateCheck {

    /** Extended key usages that allow client authentication: {@code clientAuth} and {@code anyExtendedKeyUsage}. */
    private static final Set<String> CLIENT_PURPOSES = Set.of("1.3.6.1.5.5.7.3.2", "2.5.29.37.0");

    private ClientCertificateCheck() {
    }

    /**
     * Loads what the JDK's path building reads from disk the first time it runs (its list of distrusted
     * certificates), so that this never happens on an event loop. Called once, at start.
     */
    static void prepare() {
        try {
            Class.forName("sun.security.util.UntrustedCertificates", true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // Another JDK: whatever it reads is read on first use instead.
        }
    }

    /** What the check found, and what the upstream is told of it. */
    record Verdict(Result result, String reason, X509Certificate leaf) {

        static final Verdict NONE = new Verdict(Result.NONE, null, null);

        enum Result { NONE, SUCCESS, FAILED }

        /** nginx's {@code $ssl_client_verify}: {@code NONE}, {@code SUCCESS} or {@code FAILED:<reason>}. */
        String verifyValue() {
            return result == Result.FAILED ? "FAILED:" + reason : result.name();
        }

        /** nginx's {@code $ssl_client_s_dn} (RFC 2253), empty without a certificate. */
        String subject() {
            return leaf == null ? "" : leaf.getSubjectX500Principal().getName();
        }

        /** nginx's {@code $ssl_client_i_dn} (RFC 2253), empty without a certificate. */
        String issuer() {
            return leaf == null ? "" : leaf.getIssuerX500Principal().getName();
        }

        /** nginx's {@code $ssl_client_escaped_cert}: the certificate in PEM, URL-escaped; empty without one. */
        String escapedPem() {
            if (leaf == null) {
                return "";
            }
            try {
                String pem = "-----BEGIN CERTIFICATE-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(leaf.getEncoded())
                        + "\n-----END CERTIFICATE-----\n";
                return escape(pem);
            } catch (CertificateEncodingException e) {
                return "";
            }
        }
    }

    /**
     * @param presented the client's chain, its own certificate first; null or empty when it presented none
     * @param now       the time validity is checked at
     */
    static Verdict verify(X509Certificate[] presented, ClientCertificatePolicy policy, Date now) {
        if (presented == null || presented.length == 0) {
            return Verdict.NONE;
        }
        X509Certificate leaf = presented[0];
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            return failed("certificate has expired", leaf);
        } catch (CertificateNotYetValidException e) {
            return failed("certificate is not yet valid", leaf);
        }
        if (!meantForClients(leaf)) {
            return failed("unsupported certificate purpose", leaf);
        }
        if (policy.trusted().contains(leaf)) {
            // A certificate the Secret trusts itself: nothing to chain (OpenSSL's depth 0).
            return new Verdict(Verdict.Result.SUCCESS, null, leaf);
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate ca : policy.trusted()) {
            anchors.add(new TrustAnchor(ca, null));
        }
        if (anchors.isEmpty()) {
            return failed("unable to get local issuer certificate", leaf);
        }
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(leaf);
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, target);
            parameters.setRevocationEnabled(false);
            parameters.setDate(now);
            // Unlimited here, so that a chain too deep is told apart from one that does not chain at all.
            parameters.setMaxPathLength(-1);
            parameters.addCertStore(CertStore.getInstance("Collection",
                    new CollectionCertStoreParameters(Arrays.asList(presented))));
            PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX")
                    .build(parameters);
            // The path holds the client's certificate and the intermediates, not the CA: OpenSSL's depth counts
            // the certificates above the client's own, the CA included.
            if (result.getCertPath().getCertificates().size() > policy.verifyDepth()) {
                return failed("certificate chain too long", leaf);
            }
            return new Verdict(Verdict.Result.SUCCESS, null, leaf);
        } catch (CertPathBuilderException e) {
            return failed("unable to get local issuer certificate", leaf);
        } catch (InvalidAlgorithmParameterException | java.security.NoSuchAlgorithmException e) {
            return failed("certificate cannot be checked (" + e.getMessage() + ")", leaf);
        }
    }

    private static boolean meantForClients(X509Certificate leaf) {
        try {
            List<String> purposes = leaf.getExtendedKeyUsage();
            if (purposes != null && purposes.stream().noneMatch(CLIENT_PURPOSES::contains)) {
                return false;
            }
        } catch (CertificateParsingException e) {
            return false;
        }
        boolean[] usage = leaf.getKeyUsage();
        // digitalSignature (0) is what a TLS client's key does; a certificate naming usages without it cannot sign.
        return usage == null || usage[0];
    }

    private static Verdict failed(String reason, X509Certificate leaf) {
        return new Verdict(Verdict.Result.FAILED, reason, leaf);
    }

    /** Percent-escapes every byte but unreserved URI characters, as nginx escapes a URI component. */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + text.length() / 8);
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (unreserved) {
                escaped.append((char) c);
            } else {
                escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return escaped.toString();
    }
}
