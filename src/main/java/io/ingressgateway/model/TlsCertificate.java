package io.ingressgateway.model;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A usable server certificate: a chain whose first certificate belongs to the private key (checked when parsed).
 *
 * @param source      where it came from: {@code namespace/name} of its Secret, or {@code self-signed}
 * @param chain       leaf first, then intermediates, as the Secret's {@code tls.crt} lists them
 * @param privateKey  the leaf's private key
 * @param fingerprint SHA-256 over the chain and key: equal fingerprints mean the same material, so the data plane
 *                    rebuilds its TLS context only when this changes
 */
public record TlsCertificate(String source, List<X509Certificate> chain, PrivateKey privateKey, String fingerprint) {

    public TlsCertificate {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least one certificate");
        }
    }

    /** A certificate of this chain and key, with its fingerprint. */
    public static TlsCertificate of(String source, List<X509Certificate> chain, PrivateKey privateKey) {
        return new TlsCertificate(source, chain, privateKey, fingerprint(chain, privateKey));
    }

    /** SHA-256 over the encoded chain and key. */
    static String fingerprint(List<X509Certificate> chain, PrivateKey key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (X509Certificate certificate : chain) {
                digest.update(certificate.getEncoded());
            }
            byte[] encodedKey = key.getEncoded();
            if (encodedKey != null) {
                digest.update(encodedKey);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            // SHA-256 is mandatory in every JDK, and the certificates were decoded from their encoding.
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    public String subject() {
        return leaf().getSubjectX500Principal().getName();
    }

    /** The DNS names the leaf is valid for: its DNS subject alternative names, else its common name. */
    public List<String> dnsNames() {
        List<String> names = new ArrayList<>();
        try {
            var alternatives = leaf().getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    // Type 2 is dNSName (RFC 5280).
                    if (alternative.size() >= 2 && Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // Unreadable extension: fall back to the common name, as clients that ignore SANs would.
        }
        if (names.isEmpty()) {
            for (String part : leaf().getSubjectX500Principal().getName().split(",")) {
                if (part.trim().startsWith("CN=")) {
                    names.add(part.trim().substring(3).toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(names);
    }

    /** Whether a client connecting to {@code host} would accept this certificate's name (one-label wildcards). */
    public boolean covers(HostMatch host) {
        for (String name : dnsNames()) {
            if (name.equals(host.pattern())) {
                return true;
            }
            if (name.startsWith("*.") && host.kind() == HostMatch.Kind.EXACT
                    && HostMatch.of(name).matches(host.pattern())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return source + " (" + subject() + ", valid until " + notAfter() + ")";
    }
}
