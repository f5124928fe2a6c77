package io.ingressgateway.translate.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.support.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemCertificatesTest {

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void loadsEveryKeyFormatAndChecksItMatches(KeyFormat format) throws Exception {
        Issued issued = TestCertificates.issue("app.example.com", format, "app.example.com", "*.apps.example.com");
        String expectedHeader = switch (format) {
            case RSA_PKCS1 -> "BEGIN RSA PRIVATE KEY";
            case EC_SEC1 -> "BEGIN EC PRIVATE KEY";
            case RSA_PKCS8, EC_PKCS8 -> "BEGIN PRIVATE KEY";
        };
        assertThat(issued.keyPem()).contains(expectedHeader);

        TlsCertificate certificate = PemCertificates.parse("ns/app", issued.certificatePem(), issued.keyPem());

        assertThat(certificate.leaf()).isEqualTo(issued.certificate());
        assertThat(certificate.privateKey().getAlgorithm()).isEqualTo(issued.keys().getPrivate().getAlgorithm());
        assertThat(certificate.dnsNames()).containsExactly("app.example.com", "*.apps.example.com");
        assertThat(certificate.covers(HostMatch.of("app.example.com"))).isTrue();
        assertThat(certificate.covers(HostMatch.of("x.apps.example.com"))).isTrue();
        assertThat(certificate.covers(HostMatch.of("*.apps.example.com"))).isTrue();
        assertThat(certificate.covers(HostMatch.of("x.y.apps.example.com"))).isFalse();
        assertThat(certificate.covers(HostMatch.of("other.example.com"))).isFalse();
    }

    @Test
    void keepsTheWholeChainLeafFirst() throws Exception {
        Issued leaf = TestCertificates.issue("leaf.example.com", KeyFormat.EC_SEC1, "leaf.example.com");
        Issued intermediate = TestCertificates.issue("Intermediate CA", KeyFormat.RSA_PKCS8);

        TlsCertificate certificate = PemCertificates.parse("ns/chain",
                leaf.certificatePem() + intermediate.certificatePem(), leaf.keyPem());

        assertThat(certificate.chain()).containsExactly(leaf.certificate(), intermediate.certificate());
    }

    @Test
    void acceptsEcParametersBeforeTheKeyAsOpensslWritesThem() throws Exception {
        Issued issued = TestCertificates.issue("ec.example.com", KeyFormat.EC_SEC1, "ec.example.com");
        String withParameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + issued.keyPem();

        var key = (java.security.interfaces.ECPrivateKey) PemCertificates.parse("ns/ec", issued.certificatePem(),
                withParameters).privateKey();
        assertThat(key.getS()).isEqualTo(((java.security.interfaces.ECPrivateKey) issued.keys().getPrivate()).getS());
    }

    @Test
    void rejectsAKeyOfAnotherCertificate() {
        Issued first = TestCertificates.issue("a.example.com", KeyFormat.RSA_PKCS1, "a.example.com");
        Issued second = TestCertificates.issue("b.example.com", KeyFormat.RSA_PKCS1, "b.example.com");

        assertThatThrownBy(() -> PemCertificates.parse("ns/x", first.certificatePem(), second.keyPem()))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void rejectsAKeyOfAnotherType() {
        Issued rsa = TestCertificates.issue("a.example.com", KeyFormat.RSA_PKCS8, "a.example.com");
        Issued ec = TestCertificates.issue("a.example.com", KeyFormat.EC_PKCS8, "a.example.com");

        assertThatThrownBy(() -> PemCertificates.parse("ns/x", rsa.certificatePem(), ec.keyPem()))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("EC key").hasMessageContaining("RSA key");
    }

    @Test
    void rejectsMalformedAndMissingPem() {
        Issued issued = TestCertificates.issue("a.example.com", KeyFormat.RSA_PKCS8, "a.example.com");

        assertThatThrownBy(() -> PemCertificates.parse("ns/x", "", issued.keyPem()))
                .hasMessageContaining("tls.crt is empty");
        assertThatThrownBy(() -> PemCertificates.parse("ns/x", "not pem at all", issued.keyPem()))
                .hasMessageContaining("tls.crt");
        assertThatThrownBy(() -> PemCertificates.parse("ns/x",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", issued.keyPem()))
                .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("tls.crt");
        assertThatThrownBy(() -> PemCertificates.parse("ns/x", issued.certificatePem(), issued.certificatePem()))
                .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("not a private key");
        assertThatThrownBy(() -> PemCertificates.parse("ns/x", issued.certificatePem(), "garbage"))
                .isInstanceOf(InvalidCertificateException.class).hasMessageContaining("tls.key");
    }
}
