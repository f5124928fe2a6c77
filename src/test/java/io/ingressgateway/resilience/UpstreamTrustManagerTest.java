package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How an upstream's certificate is judged with {@code proxy-ssl-verify on}: it must chain to the Secret's CA within
 * {@code proxy-ssl-verify-depth} intermediates (OpenSSL's depth, 1 by default) and be valid for the expected name.
 */
class UpstreamTrustManagerTest {

    private static final AtomicLong SERIAL = new AtomicLong(1);
    private static final String AUTH = "ECDHE_ECDSA";

    record Issued(X509Certificate certificate, KeyPair keys) {
    }

    static final Issued ROOT = issue("root", null, true);
    static final Issued INTERMEDIATE = issue("intermediate", ROOT, true);
    static final Issued DIRECT_LEAF = issue("leaf", ROOT, false, "backend.shop.svc", "*.pinned.example");
    static final Issued SECOND_INTERMEDIATE = issue("second intermediate", INTERMEDIATE, true);
    static final Issued ONE_DOWN = issue("one down", INTERMEDIATE, false, "backend.shop.svc");
    static final Issued TWO_DOWN = issue("two down", SECOND_INTERMEDIATE, false, "backend.shop.svc");
    static final Issued CN_ONLY = issue("legacy.shop.svc", ROOT, false);
    static final Issued STRANGER = issue("stranger", issue("other-root", null, true), false, "backend.shop.svc");

    static UpstreamTlsPolicy verifying(int depth) {
        return new UpstreamTlsPolicy("shop/ca", true, null, false, depth, List.of(), List.of(ROOT.certificate()),
                null, null);
    }

    static X509Certificate[] chain(Issued... certificates) {
        X509Certificate[] chain = new X509Certificate[certificates.length];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = certificates[i].certificate();
        }
        return chain;
    }

    @Test
    void aCertificateSignedByTheCaAndValidForTheNameIsTrusted() {
        UpstreamTrustManager manager = UpstreamTrustManager.verifying(verifying(1), "backend.shop.svc");

        assertThatCode(() -> manager.checkServerTrusted(chain(DIRECT_LEAF), AUTH)).doesNotThrowAnyException();
        assertThat(manager.getAcceptedIssuers()).containsExactly(ROOT.certificate());
    }

    @Test
    void aCertificateOfAnotherCaIsRefused() {
        UpstreamTrustManager manager = UpstreamTrustManager.verifying(verifying(5), "backend.shop.svc");

        assertThatThrownBy(() -> manager.checkServerTrusted(chain(STRANGER), AUTH))
                .isInstanceOf(CertificateException.class);
    }

    @ParameterizedTest
    @CsvSource({"1, 1, true", "1, 2, false", "2, 2, true", "3, 2, true", "1, 0, true"})
    void theDepthIsHowManyIntermediatesMayStandBetweenTheCertificateAndTheCa(int depth, int intermediates,
                                                                            boolean trusted) {
        UpstreamTrustManager manager = UpstreamTrustManager.verifying(verifying(depth), "backend.shop.svc");
        X509Certificate[] chain = switch (intermediates) {
            case 0 -> chain(DIRECT_LEAF);
            case 1 -> chain(ONE_DOWN, INTERMEDIATE);
            default -> chain(TWO_DOWN, SECOND_INTERMEDIATE, INTERMEDIATE);
        };

        if (trusted) {
            assertThatCode(() -> manager.checkServerTrusted(chain, AUTH)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> manager.checkServerTrusted(chain, AUTH))
                    .isInstanceOf(CertificateException.class).hasMessageContaining("proxy-ssl-verify-depth");
        }
    }

    @ParameterizedTest
    @CsvSource({
        "backend.shop.svc, true", "BACKEND.shop.svc, false", "a.pinned.example, true", "pinned.example, false",
        "a.b.pinned.example, false", "other.shop.svc, false"})
    void theNameMustBeOneOfTheCertificatesDnsNamesWithOneLabelWildcards(String name, boolean valid) {
        UpstreamTrustManager manager = UpstreamTrustManager.verifying(verifying(1), name);

        if (valid) {
            assertThatCode(() -> manager.checkServerTrusted(chain(DIRECT_LEAF), AUTH)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> manager.checkServerTrusted(chain(DIRECT_LEAF), AUTH))
                    .isInstanceOf(CertificateException.class).hasMessageContaining(name);
        }
    }

    @Test
    void withoutDnsNamesTheCommonNameIsTheName() {
        assertThat(UpstreamTrustManager.matches(CN_ONLY.certificate(), "legacy.shop.svc")).isTrue();
        assertThat(UpstreamTrustManager.matches(DIRECT_LEAF.certificate(), "leaf"))
                .as("a certificate with DNS names is not matched by its common name").isFalse();
    }

    @Test
    void aPolicyThatCannotVerifyRefusesEveryCertificate() {
        UpstreamTlsPolicy noCa = new UpstreamTlsPolicy(null, true, null, false, 1, List.of(), List.of(), null, null);
        UpstreamTlsPolicy unusable = verifying(1).unusable("Secret shop/ca not found");

        for (UpstreamTlsPolicy policy : List.of(noCa, unusable)) {
            UpstreamTrustManager manager = UpstreamTrustManager.verifying(policy, "backend.shop.svc");
            assertThatThrownBy(() -> manager.checkServerTrusted(chain(DIRECT_LEAF), AUTH))
                    .isInstanceOf(CertificateException.class).hasMessageContaining("refused");
        }
    }

    static Issued issue(String commonName, Issued issuer, boolean ca, String... dnsNames) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            X500Principal subject = new X500Principal("CN=" + commonName);
            X500Principal issuerName = issuer == null ? subject : issuer.certificate().getSubjectX500Principal();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (dnsNames.length > 0) {
                GeneralName[] names = new GeneralName[dnsNames.length];
                for (int i = 0; i < dnsNames.length; i++) {
                    names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            }
            KeyPair signer = issuer == null ? keys : issuer.keys();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
            return new Issued(certificate, keys);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
