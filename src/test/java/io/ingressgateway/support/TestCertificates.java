package io.ingressgateway.support;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.certificates.TlsSecrets;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Certificates made in the test, written as PEM the way openssl, cert-manager and kubectl write them. */
public final class TestCertificates {

    public enum KeyFormat { RSA_PKCS1, RSA_PKCS8, EC_SEC1, EC_PKCS8 }

    /** A certificate with its PEM forms. */
    public record Issued(X509Certificate certificate, KeyPair keys, String certificatePem, String keyPem) {

        public String commonName() {
            return certificate.getSubjectX500Principal().getName().replace("CN=", "");
        }

        /** The same certificate with another key: a Secret whose key does not match. */
        public Issued withKeyOf(Issued other) {
            return new Issued(certificate, other.keys, certificatePem, other.keyPem);
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    public static Issued issue(String commonName, KeyFormat format, String... dnsNames) {
        try {
            boolean rsa = format == KeyFormat.RSA_PKCS1 || format == KeyFormat.RSA_PKCS8;
            KeyPairGenerator generator = KeyPairGenerator.getInstance(rsa ? "RSA" : "EC");
            if (rsa) {
                generator.initialize(2048, RANDOM);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            }
            KeyPair keys = generator.generateKeyPair();
            X500Principal subject = new X500Principal("CN=" + commonName);
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder(
                            rsa ? "SHA256withRSA" : "SHA256withECDSA").build(keys.getPrivate())));
            StringWriter certificatePem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(certificatePem)) {
                writer.writeObject(certificate);
            }
            StringWriter keyPem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(keyPem)) {
                if (format == KeyFormat.RSA_PKCS8 || format == KeyFormat.EC_PKCS8) {
                    writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
                } else if (rsa) {
                    writer.writeObject(keys.getPrivate()); // BEGIN RSA PRIVATE KEY
                } else {
                    writer.writeObject(sec1(keys)); // BEGIN EC PRIVATE KEY, with the curve as openssl writes it
                }
            }
            return new Issued(certificate, keys, certificatePem.toString(), keyPem.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate authority (EC), as a cluster's CA bundle for client certificates holds one. */
    public static Issued authority(String commonName) {
        return signed(commonName, null, true, Duration.ofHours(-1), Duration.ofDays(30), null);
    }

    /** A certificate (EC) {@code issuer} signed, valid from an hour ago for 30 days; a CA itself when {@code ca}. */
    public static Issued issuedBy(Issued issuer, String commonName, boolean ca) {
        return signed(commonName, issuer, ca, Duration.ofHours(-1), Duration.ofDays(30), null);
    }

    /**
     * A certificate (EC) signed by {@code issuer} (self-signed when null).
     *
     * @param notBefore when it starts being valid, from now (negative: in the past)
     * @param notAfter  when it stops being valid, from now (negative: expired)
     * @param purpose   the one extended key usage it names (an OID), or null for none
     */
    public static Issued signed(String commonName, Issued issuer, boolean ca, Duration notBefore, Duration notAfter,
                                String purpose) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Principal subject = new X500Principal("CN=" + commonName);
            Instant now = Instant.now();
            X500Principal issuerName = issuer == null ? subject : issuer.certificate().getSubjectX500Principal();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(RANDOM.nextLong() & Long.MAX_VALUE), Date.from(now.plus(notBefore)),
                    Date.from(now.plus(notAfter)), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true,
                    new org.bouncycastle.asn1.x509.BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(ca
                    ? org.bouncycastle.asn1.x509.KeyUsage.keyCertSign | org.bouncycastle.asn1.x509.KeyUsage.cRLSign
                            | org.bouncycastle.asn1.x509.KeyUsage.digitalSignature
                    : org.bouncycastle.asn1.x509.KeyUsage.digitalSignature));
            if (purpose != null) {
                builder.addExtension(Extension.extendedKeyUsage, false, new org.bouncycastle.asn1.x509.ExtendedKeyUsage(
                        org.bouncycastle.asn1.x509.KeyPurposeId.getInstance(
                                new org.bouncycastle.asn1.ASN1ObjectIdentifier(purpose))));
            }
            java.security.PrivateKey signer = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
            StringWriter certificatePem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(certificatePem)) {
                writer.writeObject(certificate);
            }
            StringWriter keyPem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(keyPem)) {
                writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            return new Issued(certificate, keys, certificatePem.toString(), keyPem.toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** SEC1 with its curve parameters: the JDK's PKCS#8 encoding leaves them out of the inner structure. */
    private static org.bouncycastle.util.io.pem.PemObject sec1(KeyPair keys) throws java.io.IOException {
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        var full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), publicKey.getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded());
    }

    public static Secret secret(String namespace, String name, Issued issued) {
        return secret(namespace, name, issued.certificatePem(), issued.keyPem());
    }

    public static Secret secret(String namespace, String name, String certificatePem, String keyPem) {
        return new SecretBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType(ClusterSnapshot.TLS_SECRET_TYPE)
                .withData(Map.of(
                        TlsSecrets.CERTIFICATE_KEY, base64(certificatePem),
                        TlsSecrets.PRIVATE_KEY_KEY, base64(keyPem)))
                .build();
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
