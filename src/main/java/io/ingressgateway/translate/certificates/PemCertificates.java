package io.ingressgateway.translate.certificates;

import io.ingressgateway.model.TlsCertificate;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PEM a {@code kubernetes.io/tls} Secret carries: a certificate chain (leaf first) and an unencrypted
 * private key in any of the formats tools write: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), PKCS#8
 * ({@code BEGIN PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}, optionally after {@code BEGIN EC PARAMETERS}).
 * Pure: no I/O, keys are converted with the JDK's own providers. Control-plane work: the translator reads Secrets with
 * it; the data plane only ever sees the parsed {@link TlsCertificate}.
 */
public final class PemCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    private PemCertificates() {
    }

    /**
     * The certificate {@code certificatePem} and {@code keyPem} make, after checking the key belongs to the leaf.
     *
     * @param source names the material in messages and in the result ({@code namespace/name} of its Secret)
     */
    public static TlsCertificate parse(String source, String certificatePem, String keyPem)
            throws InvalidCertificateException {
        List<X509Certificate> chain = certificates(certificatePem);
        PrivateKey key = privateKey(keyPem);
        checkKeyMatches(chain.get(0), key);
        return TlsCertificate.of(source, chain, key);
    }

    static List<X509Certificate> certificates(String pem) throws InvalidCertificateException {
        if (pem == null || pem.isBlank()) {
            throw new InvalidCertificateException("tls.crt is empty");
        }
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new InvalidCertificateException("tls.crt is not a valid PEM certificate chain: " + message(e), e);
        }
        if (chain.isEmpty()) {
            throw new InvalidCertificateException("tls.crt contains no PEM certificate");
        }
        return List.copyOf(chain);
    }

    static PrivateKey privateKey(String pem) throws InvalidCertificateException {
        if (pem == null || pem.isBlank()) {
            throw new InvalidCertificateException("tls.key is empty");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object;
            while ((object = parser.readObject()) != null) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo()); // PKCS#1 RSA or SEC1 EC
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info); // PKCS#8
                }
                if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new InvalidCertificateException("tls.key is encrypted; Secrets must hold an unencrypted"
                            + " key");
                }
                if (!(object instanceof ASN1ObjectIdentifier)) { // EC PARAMETERS ahead of the key are skipped
                    throw new InvalidCertificateException("tls.key holds " + object.getClass().getSimpleName()
                            + ", not a private key");
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new InvalidCertificateException("tls.key is not a valid PEM private key: " + message(e), e);
        }
        throw new InvalidCertificateException("tls.key contains no PEM private key");
    }

    /** Signs with the key and verifies with the certificate: works for every key type a JDK provider knows. */
    public static void checkKeyMatches(X509Certificate leaf, PrivateKey key) throws InvalidCertificateException {
        PublicKey publicKey = leaf.getPublicKey();
        if (!publicKey.getAlgorithm().equals(key.getAlgorithm())) {
            throw new InvalidCertificateException("tls.key is a " + key.getAlgorithm() + " key but the certificate"
                    + " holds a " + publicKey.getAlgorithm() + " key");
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> throw new InvalidCertificateException("tls.key has unsupported key type "
                    + key.getAlgorithm());
        };
        byte[] probe = new byte[32];
        RANDOM.nextBytes(probe);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new InvalidCertificateException("tls.key does not match the certificate's public key");
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidCertificateException("tls.key does not match the certificate's public key ("
                    + message(e) + ")", e);
        }
    }

    static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Decodes PEM text from Secret bytes; PEM is ASCII, anything else fails in the parser. */
    static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.US_ASCII);
    }
}
