package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.translate.certificates.PemCertificates;
import org.junit.jupiter.api.Test;

class SelfSignedCertificateTest {

    @Test
    void generatesAUsableSelfSignedDefault() throws Exception {
        TlsCertificate generated = SelfSignedCertificate.generate();

        assertThat(generated.source()).isEqualTo(SelfSignedCertificate.SOURCE);
        assertThat(generated.dnsNames()).containsExactly(SelfSignedCertificate.DNS_NAME);
        PemCertificates.checkKeyMatches(generated.leaf(), generated.privateKey());
        assertThat(generated.fingerprint()).hasSize(64);
    }
}
