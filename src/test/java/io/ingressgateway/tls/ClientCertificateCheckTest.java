package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.ClientCertificatePolicy.Verify;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.tls.ClientCertificateCheck.Verdict;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check of a presented client certificate against a host's CAs, as OpenSSL makes it for nginx. */
class ClientCertificateCheckTest {

    static final Issued ROOT = TestCertificates.authority("Client Root");
    static final Issued OTHER_ROOT = TestCertificates.authority("Other Root");
    static final Issued INTERMEDIATE = TestCertificates.issuedBy(ROOT, "Client Intermediate", true);
    static final Issued ALICE = TestCertificates.issuedBy(ROOT, "alice", false);
    static final Issued BOB_VIA_INTERMEDIATE = TestCertificates.issuedBy(INTERMEDIATE, "bob", false);

    static ClientCertificatePolicy trusting(int depth, Issued... cas) {
        return new ClientCertificatePolicy("apps/ca", Verify.ON, depth, null, false, null,
                java.util.Arrays.stream(cas).map(Issued::certificate).toList(), null);
    }

    static Verdict check(ClientCertificatePolicy policy, Issued... chain) {
        return ClientCertificateCheck.verify(java.util.Arrays.stream(chain).map(Issued::certificate)
                .toArray(X509Certificate[]::new), policy, new Date());
    }

    @Test
    void aCertificateTheCaSignedPassesAndNamesItsSubjectAndIssuer() {
        Verdict verdict = check(trusting(1, ROOT), ALICE);

        assertThat(verdict.verifyValue()).isEqualTo("SUCCESS");
        assertThat(verdict.subject()).isEqualTo("CN=alice");
        assertThat(verdict.issuer()).isEqualTo("CN=Client Root");
    }

    @Test
    void noCertificateIsNone() {
        assertThat(ClientCertificateCheck.verify(null, trusting(1, ROOT), new Date()).verifyValue())
                .isEqualTo("NONE");
        assertThat(ClientCertificateCheck.verify(new X509Certificate[0], trusting(1, ROOT), new Date()))
                .isEqualTo(Verdict.NONE);
        assertThat(Verdict.NONE.subject()).isEmpty();
        assertThat(Verdict.NONE.escapedPem()).isEmpty();
    }

    @Test
    void anotherCasCertificateFails() {
        assertThat(check(trusting(1, OTHER_ROOT), ALICE).verifyValue())
                .isEqualTo("FAILED:unable to get local issuer certificate");
    }

    @Test
    void theVerifyDepthCountsTheCertificatesAboveTheClientsOwn() {
        // Through an intermediate: the path is bob, intermediate (then the root): depth 2 needed, as OpenSSL counts.
        assertThat(check(trusting(1, ROOT), BOB_VIA_INTERMEDIATE, INTERMEDIATE).verifyValue())
                .isEqualTo("FAILED:certificate chain too long");
        assertThat(check(trusting(2, ROOT), BOB_VIA_INTERMEDIATE, INTERMEDIATE).verifyValue()).isEqualTo("SUCCESS");
        // Without the intermediate the client should have sent, there is no path.
        assertThat(check(trusting(2, ROOT), BOB_VIA_INTERMEDIATE).verifyValue())
                .isEqualTo("FAILED:unable to get local issuer certificate");
        // A bundle holding the intermediate itself trusts what it signed at depth 1.
        assertThat(check(trusting(1, INTERMEDIATE), BOB_VIA_INTERMEDIATE).verifyValue()).isEqualTo("SUCCESS");
    }

    @Test
    void expiredAndNotYetValidCertificatesFail() {
        Issued expired = TestCertificates.signed("old", ROOT, false, Duration.ofDays(-30), Duration.ofDays(-1), null);
        Issued future = TestCertificates.signed("new", ROOT, false, Duration.ofDays(1), Duration.ofDays(30), null);

        assertThat(check(trusting(1, ROOT), expired).verifyValue()).isEqualTo("FAILED:certificate has expired");
        assertThat(check(trusting(1, ROOT), future).verifyValue()).isEqualTo("FAILED:certificate is not yet valid");
    }

    @Test
    void aCertificateNamingOnlyOtherPurposesFails() {
        Issued serverOnly = TestCertificates.signed("server", ROOT, false, Duration.ofHours(-1), Duration.ofDays(1),
                "1.3.6.1.5.5.7.3.1");
        Issued clientAuth = TestCertificates.signed("client", ROOT, false, Duration.ofHours(-1), Duration.ofDays(1),
                "1.3.6.1.5.5.7.3.2");

        assertThat(check(trusting(1, ROOT), serverOnly).verifyValue())
                .isEqualTo("FAILED:unsupported certificate purpose");
        assertThat(check(trusting(1, ROOT), clientAuth).verifyValue()).isEqualTo("SUCCESS");
    }

    @Test
    void aCertificateTheBundleHoldsItselfPasses() {
        Issued selfSigned = TestCertificates.authority("self");
        assertThat(check(trusting(1, selfSigned), selfSigned).verifyValue()).isEqualTo("SUCCESS");
        assertThat(check(trusting(1, ROOT), selfSigned).verifyValue()).startsWith("FAILED:");
    }

    @Test
    void theCertificateGoesUpstreamAsUrlEscapedPemAsNginxSendsIt() {
        String escaped = check(trusting(1, ROOT), ALICE).escapedPem();

        assertThat(escaped).startsWith("-----BEGIN%20CERTIFICATE-----%0A").endsWith("-----END%20CERTIFICATE-----%0A");
        assertThat(escaped).doesNotContain("+", "/", "=", " ", "\n");
        assertThat(java.net.URLDecoder.decode(escaped.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8)
                .replaceAll("\r?\n", "")).isEqualTo(ALICE.certificatePem().replaceAll("\r?\n", ""));
    }

    @Test
    void aPolicyWithoutCasTrustsNothing() {
        ClientCertificatePolicy none = new ClientCertificatePolicy("apps/ca", Verify.ON, 1, null, false, null,
                List.of(), null);
        assertThat(check(none, ALICE).verifyValue()).startsWith("FAILED:");
    }
}
