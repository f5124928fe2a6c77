package io.ingressgateway.tls;

import static io.ingressgateway.support.Objects.OUR_CONTROLLER;
import static io.ingressgateway.support.Objects.endpointSlice;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.serviceBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.controller.ControllerPipeline;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.support.TestCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * TLS termination end to end: the real gateway with its HTTPS listener, watching a CRUD API server for Ingresses and
 * TLS Secrets (certificates made in the test), proxying to real backends. Each test has its own namespace and hosts.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        // Reads each TLS host's Secret and certificate in /actuator/ingresses, shown at the full detail level only.
        "ingress-gateway.ops.ingresses-detail=full",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.status.publish-address=203.0.113.10",
        "ingress-gateway.status.lease-namespace=ingress-gateway",
        "ingress-gateway.status.identity=tls-it"})
@DirtiesContext
class TlsIT {

    /**
     * How long a change (API write, watch, translation, certificate load, handshake) may take before the test gives
     * up: a ceiling for a loaded CI machine, not a latency target (bench/convergence measures that).
     */
    static final Duration WITHIN = Duration.ofSeconds(30);
    static final String SELF_SIGNED_CN = SelfSignedCertificate.COMMON_NAME;

    static final ApiServer api = new ApiServer();
    static final Backend backend = new Backend("backend");

    static {
        api.apply(namespace("ingress-gateway"));
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, true));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stop() {
        backend.close();
        api.close();
    }

    @LocalServerPort
    int httpPort;

    @LocalManagementPort
    int managementPort;

    @Autowired
    HttpsListener listener;

    @Autowired
    ControllerPipeline pipeline;

    HttpProbe http;
    TlsProbe https;

    @BeforeEach
    void ready() {
        http = new HttpProbe(httpPort);
        https = new TlsProbe(listener.port());
        HttpProbe management = new HttpProbe(managementPort);
        await().atMost(Duration.ofSeconds(20)).until(
                () -> management.get("localhost", "/actuator/health/readiness").status() == 200);
    }

    void app(String ns) {
        api.apply(namespace(ns));
        api.apply(service(ns, "app", port("http", 80, 8080)));
        api.apply(endpointSlice(ns, "app", "app-1", "http", backend.port(), true));
    }

    static IngressTLS tls(String secretName, String... hosts) {
        return new IngressTLSBuilder().withSecretName(secretName).withHosts(hosts).build();
    }

    static Ingress withTls(Ingress ingress, IngressTLS... entries) {
        ingress.getSpec().setTls(List.of(entries));
        return ingress;
    }

    Ingress appIngress(String ns, String name, Map<String, String> annotations, String... hosts) {
        var builder = ingress(ns, name);
        annotations.forEach(builder::annotation);
        for (String host : hosts) {
            builder.rules(rule(host, path("Prefix", "/", serviceBackend("app", 80))));
        }
        return builder.build();
    }

    void awaitCertificate(String serverName, String commonName) {
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(20)).untilAsserted(
                () -> assertThat(https.commonName(serverName)).as("certificate for %s", serverName)
                        .isEqualTo(commonName));
    }

    @Test
    void theApplicationsListenersHaveOneStageEachInTheirOrder() {
        assertThat(pipeline.listeners()).extracting(listener -> listener.stage())
                .containsExactly(ListenerStage.values());
    }

    @Test
    void sniPicksTheCertificateOfEachHostExactAndWildcardAndTheDefaultOtherwise() throws Exception {
        String ns = "sni";
        app(ns);
        Issued exact = TestCertificates.issue("exact.sni.test", KeyFormat.RSA_PKCS1, "exact.sni.test");
        Issued wildcard = TestCertificates.issue("wildcard.sni.test", KeyFormat.EC_SEC1, "*.apps.sni.test");
        Issued pkcs8 = TestCertificates.issue("pkcs8.sni.test", KeyFormat.RSA_PKCS8, "pkcs8.sni.test");
        api.apply(TestCertificates.secret(ns, "exact", exact));
        api.apply(TestCertificates.secret(ns, "wildcard", wildcard));
        api.apply(TestCertificates.secret(ns, "pkcs8", pkcs8));
        api.apply(withTls(appIngress(ns, "web", Map.of(), "exact.sni.test", "*.apps.sni.test", "pkcs8.sni.test"),
                tls("exact", "exact.sni.test"), tls("wildcard", "*.apps.sni.test"), tls("pkcs8", "pkcs8.sni.test")));

        awaitCertificate("exact.sni.test", "exact.sni.test");
        awaitCertificate("a.apps.sni.test", "wildcard.sni.test");
        awaitCertificate("PKCS8.sni.test", "pkcs8.sni.test");
        assertThat(https.commonName("a.b.apps.sni.test")).as("wildcards cover one label").isEqualTo(SELF_SIGNED_CN);
        assertThat(https.commonName("unknown.sni.test")).isEqualTo(SELF_SIGNED_CN);
        assertThat(https.commonName(null)).as("no SNI").isEqualTo(SELF_SIGNED_CN);

        // Served over HTTPS with the original Host and X-Forwarded-Proto https; HSTS on by default.
        TlsProbe.Response response = https.get("x.apps.sni.test", "/hello", false);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("backend");
        assertThat(response.header("Strict-Transport-Security")).isEqualTo("max-age=15724800; includeSubDomains");
        var received = backend.lastRequest();
        assertThat(received.getHeader("Host")).isEqualTo("x.apps.sni.test");
        assertThat(received.getHeader("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(received.getHeader("X-Forwarded-Port")).isEqualTo("443");
    }

    @Test
    void http2IsNegotiatedByAlpnWithHttp11Fallback() throws Exception {
        String ns = "alpn";
        app(ns);
        Issued issued = TestCertificates.issue("h2.alpn.test", KeyFormat.EC_PKCS8, "h2.alpn.test");
        api.apply(TestCertificates.secret(ns, "cert", issued));
        api.apply(withTls(appIngress(ns, "web", Map.of(), "h2.alpn.test"), tls("cert", "h2.alpn.test")));
        awaitCertificate("h2.alpn.test", "h2.alpn.test");

        assertThat(https.negotiatedProtocol("h2.alpn.test", "h2", "http/1.1")).startsWith("h2 TLSv1.3");
        assertThat(https.negotiatedProtocol("h2.alpn.test", "http/1.1")).startsWith("http/1.1 ");

        TlsProbe.Response h2 = https.get("h2.alpn.test", "/over-h2", true);
        assertThat(h2.protocol()).isEqualTo("HTTP/2.0");
        assertThat(h2.status()).isEqualTo(200);
        assertThat(h2.body()).isEqualTo("backend");
        assertThat(backend.lastRequest().getHeader("Host")).isEqualTo("h2.alpn.test");
        assertThat(backend.lastRequest().getHeader("X-Forwarded-Proto")).isEqualTo("https");

        TlsProbe.Response h1 = https.get("h2.alpn.test", "/over-h1", false);
        assertThat(h1.protocol()).isEqualTo("HTTP/1.1");
        assertThat(h1.status()).isEqualTo(200);
    }

    @Test
    void rotatingASecretChangesTheCertificateOfNewHandshakes() throws Exception {
        String ns = "rotation";
        app(ns);
        Issued first = TestCertificates.issue("first.rotation.test", KeyFormat.RSA_PKCS1, "www.rotation.test");
        Issued second = TestCertificates.issue("second.rotation.test", KeyFormat.EC_SEC1, "www.rotation.test");
        api.apply(TestCertificates.secret(ns, "cert", first));
        api.apply(withTls(appIngress(ns, "web", Map.of(), "www.rotation.test"), tls("cert", "www.rotation.test")));
        awaitCertificate("www.rotation.test", "first.rotation.test");

        api.apply(TestCertificates.secret(ns, "cert", second));

        awaitCertificate("www.rotation.test", "second.rotation.test");
    }

    @Test
    void aBrokenSecretFallsBackToTheDefaultWithoutAffectingOtherHosts() throws Exception {
        String ns = "broken";
        app(ns);
        Issued good = TestCertificates.issue("good.broken.test", KeyFormat.RSA_PKCS8, "good.broken.test");
        Issued other = TestCertificates.issue("other.broken.test", KeyFormat.RSA_PKCS8, "mismatch.broken.test");
        api.apply(TestCertificates.secret(ns, "good", good));
        api.apply(TestCertificates.secret(ns, "mismatched", other.withKeyOf(good)));
        api.apply(TestCertificates.secret(ns, "malformed", "not a certificate", good.keyPem()));
        api.apply(withTls(appIngress(ns, "web", Map.of(), "good.broken.test", "mismatch.broken.test",
                        "malformed.broken.test", "missing.broken.test"),
                tls("good", "good.broken.test"), tls("mismatched", "mismatch.broken.test"),
                tls("malformed", "malformed.broken.test"), tls("missing", "missing.broken.test")));

        awaitCertificate("good.broken.test", "good.broken.test");
        assertThat(https.commonName("mismatch.broken.test")).isEqualTo(SELF_SIGNED_CN);
        assertThat(https.commonName("malformed.broken.test")).isEqualTo(SELF_SIGNED_CN);
        assertThat(https.commonName("missing.broken.test")).isEqualTo(SELF_SIGNED_CN);
        List<Diagnostic> diagnostics = pipeline.current().model().ingresses().stream()
                .filter(report -> report.ingress().equals(new IngressRef(ns, "web")))
                .findFirst().orElseThrow().diagnostics();
        assertThat(diagnostics).extracting(Diagnostic::field).containsExactly(
                "spec.tls[1].secretName", "spec.tls[2].secretName", "spec.tls[3].secretName");
        assertThat(diagnostics).allMatch(d -> d.severity() == Diagnostic.Severity.WARNING);
        assertThat(diagnostics.get(0).message()).contains("does not match");
        assertThat(diagnostics.get(2).message()).contains("not found");
        // Hosts with a broken Secret still serve HTTPS (with the default certificate) and still redirect HTTP.
        assertThat(https.get("missing.broken.test", "/", false).status()).isEqualTo(200);
        assertThat(http.get("missing.broken.test", "/").status()).isEqualTo(308);

        // Operators see which certificate each host gets and why, and each served certificate's expiry.
        HttpProbe management = new HttpProbe(managementPort);
        String described = management.get("localhost", "/actuator/ingresses/" + ns + "/web").body();
        assertThat(described).contains("\"host\":\"good.broken.test\",\"secret\":\"broken/good\","
                + "\"certificate\":\"Secret broken/good\"");
        assertThat(described).contains("\"host\":\"missing.broken.test\",\"secret\":\"broken/missing\","
                + "\"certificate\":\"default certificate\"");
        String metrics = management.get("localhost", "/actuator/prometheus").body();
        String goodRow = "ingress_gateway_certificate_expiry_seconds{host=\"good.broken.test\","
                + "namespace=\"broken\",secret=\"broken/good\",secret_name=\"good\"} ";
        assertThat(metrics).contains(goodRow);
        String value = metrics.substring(metrics.indexOf(goodRow) + goodRow.length()).split("\\s")[0];
        assertThat(Double.parseDouble(value)).isEqualTo(
                (double) good.certificate().getNotAfter().toInstant().getEpochSecond());
        assertThat(metrics).contains("ingress_gateway_certificate_expiry_seconds{host=\"missing.broken.test\","
                + "namespace=\"\",secret=\"self-signed\",secret_name=\"\"}");

        // Fixing the Secret takes effect for the next handshake.
        Issued fixed = TestCertificates.issue("fixed.broken.test", KeyFormat.EC_PKCS8, "missing.broken.test");
        api.apply(TestCertificates.secret(ns, "missing", fixed));
        awaitCertificate("missing.broken.test", "fixed.broken.test");
        assertThat(https.commonName("good.broken.test")).isEqualTo("good.broken.test");
    }

    @Test
    void onlySecretsOfTypeTlsAreWatched() throws Exception {
        String ns = "secret-types";
        app(ns);
        Issued issued = TestCertificates.issue("typed.secret-types.test", KeyFormat.RSA_PKCS8,
                "typed.secret-types.test", "opaque.secret-types.test");
        api.apply(TestCertificates.secret(ns, "typed", issued));
        var opaque = TestCertificates.secret(ns, "opaque", issued);
        opaque.setType("Opaque");
        api.apply(opaque);
        api.apply(withTls(appIngress(ns, "web", Map.of(), "typed.secret-types.test", "opaque.secret-types.test"),
                tls("typed", "typed.secret-types.test"), tls("opaque", "opaque.secret-types.test")));

        awaitCertificate("typed.secret-types.test", "typed.secret-types.test");
        assertThat(https.commonName("opaque.secret-types.test")).isEqualTo(SELF_SIGNED_CN);
        assertThat(pipeline.current().snapshot().secrets()).extracting(s -> s.getMetadata().getName())
                .contains("typed").doesNotContain("opaque");
    }

    @Test
    void httpIsRedirectedWith308UnlessTheIngressOptsOut() throws Exception {
        String ns = "redirect";
        app(ns);
        Issued issued = TestCertificates.issue("redirect.test", KeyFormat.RSA_PKCS8,
                "secure.redirect.test", "optout.redirect.test", "nginx-off.redirect.test");
        api.apply(TestCertificates.secret(ns, "cert", issued));
        api.apply(withTls(appIngress(ns, "secure", Map.of(), "secure.redirect.test"),
                tls("cert", "secure.redirect.test")));
        api.apply(withTls(appIngress(ns, "optout", Map.of("ingress-gateway.io/ssl-redirect", "false"),
                "optout.redirect.test"), tls("cert", "optout.redirect.test")));
        api.apply(withTls(appIngress(ns, "nginx-off", Map.of("nginx.ingress.kubernetes.io/ssl-redirect", "false"),
                "nginx-off.redirect.test"), tls("cert", "nginx-off.redirect.test")));
        api.apply(appIngress(ns, "forced", Map.of("nginx.ingress.kubernetes.io/force-ssl-redirect", "true"),
                "forced.redirect.test"));
        api.apply(appIngress(ns, "plain", Map.of(), "plain.redirect.test"));

        // Each apply is its own change; the last one applied being served means every one is.
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(20)).untilAsserted(
                () -> assertThat(http.get("plain.redirect.test", "/").status()).isEqualTo(200));
        assertThat(http.get("secure.redirect.test", "/").status()).isEqualTo(308);
        HttpProbe.Response redirected = http.get("secure.redirect.test:" + httpPort, "/a%20b/c?x=1&y=%2F");
        assertThat(redirected.status()).isEqualTo(308);
        assertThat(redirected.header("Location")).isEqualTo("https://secure.redirect.test/a%20b/c?x=1&y=%2F");
        assertThat(http.get("secure.redirect.test", "/.well-known/acme-challenge/token").status())
                .as("ACME HTTP-01 challenges are not redirected").isEqualTo(200);
        assertThat(http.get("optout.redirect.test", "/").status()).isEqualTo(200);
        assertThat(http.get("nginx-off.redirect.test", "/").status()).isEqualTo(200);
        assertThat(http.get("forced.redirect.test", "/x").header("Location"))
                .isEqualTo("https://forced.redirect.test/x");
        assertThat(http.get("plain.redirect.test", "/").status()).isEqualTo(200);
        assertThat(https.get("secure.redirect.test", "/", false).status()).isEqualTo(200);
    }
}
