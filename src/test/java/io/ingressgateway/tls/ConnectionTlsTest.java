package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import java.security.cert.Certificate;
import org.junit.jupiter.api.Test;

class ConnectionTlsTest {

    @Test
    void coversTheCertificatesExactAndOneLabelWildcardNames() {
        ConnectionTls tls = ConnectionTls.of("A.Example.COM.", new Certificate[] {TestCertificates.issue(
                "example", KeyFormat.EC_PKCS8, "a.example.com", "*.apps.example.com").certificate()});

        assertThat(tls.serverName()).isEqualTo("a.example.com");
        assertThat(tls.covers("a.example.com")).isTrue();
        assertThat(tls.covers("x.apps.example.com")).isTrue();
        assertThat(tls.covers("x.apps.example.com")).as("asked again, from the cache").isTrue();
        assertThat(tls.covers("apps.example.com")).isFalse();
        assertThat(tls.covers("x.y.apps.example.com")).isFalse();
        assertThat(tls.covers("b.example.com")).isFalse();
    }

    @Test
    void aCertificateWithoutDnsNamesCoversNothingAndNoSniIsNull() {
        ConnectionTls tls = ConnectionTls.of(null, new Certificate[] {
                TestCertificates.issue("a.example.com", KeyFormat.EC_PKCS8).certificate()});

        assertThat(tls.serverName()).isNull();
        assertThat(tls.covers("a.example.com")).as("browsers ignore the common name").isFalse();
        assertThat(ConnectionTls.of("a.example.com", null).covers("a.example.com")).isFalse();
    }

    @Test
    void theRequestHostIsTheHostHeaderWithoutPortCaseOrTrailingDot() {
        assertThat(MisdirectedRequests.hostOf("B.Example.com:8443")).isEqualTo("b.example.com");
        assertThat(MisdirectedRequests.hostOf("b.example.com.")).isEqualTo("b.example.com");
        assertThat(MisdirectedRequests.hostOf("b.example.com")).isEqualTo("b.example.com");
        assertThat(MisdirectedRequests.hostOf("[::1]:443")).isNull();
        assertThat(MisdirectedRequests.hostOf("")).isNull();
        assertThat(MisdirectedRequests.hostOf(null)).isNull();
    }
}
