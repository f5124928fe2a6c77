package io.ingressgateway.resilience;

import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Judges an upstream's certificate as nginx's {@code proxy_ssl_verify on} does: the chain must lead to one of the
 * policy's CA certificates (PKIX, no revocation checks, as nginx without CRLs) through at most
 * {@code proxy-ssl-verify-depth} intermediate certificates (OpenSSL's depth: levels 0, the upstream's certificate, to
 * depth + 1, the CA), and the upstream's certificate must be valid for the expected name (its DNS subject alternative
 * names, one-label wildcards; its common name only when it has none, as OpenSSL checks).
 *
 * <p>A policy that {@link UpstreamTlsPolicy#refusesEveryCertificate() refuses every certificate} (its Secret is
 * unusable, or verification is on with no CA) gets a manager that refuses every chain: its requests fail at the
 * handshake, before anything is sent.
 */
final class UpstreamTrustManager extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager chains;
    private final String expectedName;
    private final String refusal;
    private final X509Certificate[] issuers;
    private final int maxIntermediates;

    private UpstreamTrustManager(X509ExtendedTrustManager chains, String expectedName, String refusal,
                                 X509Certificate[] issuers, int maxIntermediates) {
        this.chains = chains;
        this.expectedName = expectedName;
        this.refusal = refusal;
        this.issuers = issuers;
        this.maxIntermediates = maxIntermediates;
    }

    /** The manager verifying against {@code policy}'s CAs and {@code expectedName}. */
    static UpstreamTrustManager verifying(UpstreamTlsPolicy policy, String expectedName) {
        if (policy.refusesEveryCertificate()) {
            String why = policy.problem() != null ? policy.problem()
                    : "proxy-ssl-verify is on but no CA certificate was given";
            return new UpstreamTrustManager(null, expectedName, why, new X509Certificate[0], 0);
        }
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate ca : policy.trusted()) {
                anchors.add(new TrustAnchor(ca, null));
            }
            PKIXBuilderParameters parameters = new PKIXBuilderParameters(anchors, null);
            parameters.setRevocationEnabled(false);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(new CertPathTrustManagerParameters(parameters));
            X509ExtendedTrustManager chains = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    chains = extended;
                }
            }
            if (chains == null) {
                throw new IllegalStateException("the JDK's PKIX trust manager factory made no X509 trust manager");
            }
            return new UpstreamTrustManager(chains, expectedName, null,
                    policy.trusted().toArray(new X509Certificate[0]), policy.verifyDepth());
        } catch (GeneralSecurityException e) {
            return new UpstreamTrustManager(null, expectedName, "the CA certificates cannot be used ("
                    + e.getMessage() + ")", new X509Certificate[0], 0);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        refuseIfRefusing();
        chains.checkServerTrusted(chain, authType, engine);
        checkDepth(chain);
        checkName(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        refuseIfRefusing();
        chains.checkServerTrusted(chain, authType, socket);
        checkDepth(chain);
        checkName(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        refuseIfRefusing();
        chains.checkServerTrusted(chain, authType);
        checkDepth(chain);
        checkName(chain);
    }

    private void refuseIfRefusing() throws CertificateException {
        if (refusal != null) {
            throw new CertificateException("upstream TLS refused: " + refusal);
        }
    }

    /**
     * The chain was found to lead to a CA: counts the presented certificates between the upstream's own and the first
     * one a CA issued (none when the upstream's certificate is a CA's own or issued by one).
     */
    private void checkDepth(X509Certificate[] chain) throws CertificateException {
        for (int level = 0; level < chain.length; level++) {
            if (isTrusted(chain[level]) || issuedByTrusted(chain[level])) {
                if (level > maxIntermediates) {
                    throw new CertificateException("the upstream's certificate chain has " + level
                            + " intermediate certificates, more than proxy-ssl-verify-depth " + maxIntermediates);
                }
                return;
            }
        }
        throw new CertificateException("the upstream's certificate chain does not reach a trusted CA");
    }

    private boolean isTrusted(X509Certificate certificate) {
        for (X509Certificate ca : issuers) {
            if (ca.equals(certificate)) {
                return true;
            }
        }
        return false;
    }

    private boolean issuedByTrusted(X509Certificate certificate) {
        for (X509Certificate ca : issuers) {
            if (ca.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
                try {
                    certificate.verify(ca.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    // another CA of the same name
                }
            }
        }
        return false;
    }

    private void checkName(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0 || !matches(chain[0], expectedName)) {
            throw new CertificateException("the upstream's certificate is not valid for " + expectedName);
        }
    }

    /** Whether {@code certificate} is valid for the DNS name {@code name} (lower case). */
    static boolean matches(X509Certificate certificate, String name) {
        for (String pattern : dnsNames(certificate)) {
            if (pattern.equals(name)) {
                return true;
            }
            // A wildcard stands for exactly one whole label, the leftmost.
            if (pattern.startsWith("*.") && pattern.indexOf('*', 1) < 0) {
                int dot = name.indexOf('.');
                if (dot > 0 && name.substring(dot).equals(pattern.substring(1))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The DNS subject alternative names, else the common names, lower case. */
    static List<String> dnsNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() >= 2 && Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of(); // unreadable names match nothing
        }
        if (names.isEmpty()) {
            for (String part : certificate.getSubjectX500Principal().getName().split(",")) {
                if (part.trim().startsWith("CN=")) {
                    names.add(part.trim().substring(3).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("an upstream connection has no clients to trust");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("an upstream connection has no clients to trust");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("an upstream connection has no clients to trust");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }
}
