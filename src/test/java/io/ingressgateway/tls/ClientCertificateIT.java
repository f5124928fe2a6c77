package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Client certificate authentication ({@code auth-tls-*}) through the real gateway's HTTPS listener, as
 * ingress-nginx's e2e tests (test/e2e/annotations/authtls.go) and its annotation reference describe it: per host,
 * 400 without or with a failing certificate ({@code on}), the result told to the upstream in {@code ssl-client-*}
 * headers, the error page, {@code optional} and {@code optional_no_ca}, the CN check, and a host whose CA Secret is
 * missing refused (403) while the other hosts keep serving.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class ClientCertificateIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String MTLS = "mtls.certs.test";
    static final String OPTIONAL = "optional.certs.test";
    static final String NO_CA = "noca.certs.test";
    static final String ERROR_PAGE = "errorpage.certs.test";
    static final String MATCH_CN = "cn.certs.test";
    static final String BROKEN = "broken.certs.test";
    static final String GARBLED = "garbled.certs.test";
    static final String PLAIN_HTTP = "plainhttp.certs.test";
    static final String OPEN = "open.certs.test";

    static final Issued ROOT = TestCertificates.authority("Client Root");
    static final Issued OTHER_ROOT = TestCertificates.authority("Other Root");
    static final Issued ALICE = TestCertificates.issuedBy(ROOT, "alice", false);
    static final Issued MALLORY = TestCertificates.issuedBy(OTHER_ROOT, "mallory", false);
    static final Issued SERVER = TestCertificates.issue("certs.test", TestCertificates.KeyFormat.EC_PKCS8,
            "*.certs.test");

    @TempDir
    static Path manifests;

    static final Backend backend = new Backend("app");

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: ingress-gateway}
                spec: {controller: ingress-gateway.io/controller}
                ---
                apiVersion: v1
                kind: Service
                metadata: {namespace: apps, name: web}
                spec:
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: web-1
                  labels: {kubernetes.io/service-name: web}
                addressType: IPv4
                ports: [{name: http, port: %d, protocol: TCP}]
                endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
                ---
                apiVersion: v1
                kind: Secret
                metadata: {namespace: apps, name: wildcard}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {namespace: apps, name: client-ca}
                type: Opaque
                data: {ca.crt: %s}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {namespace: apps, name: garbled-ca}
                type: Opaque
                data: {ca.crt: %s}
                """.formatted(backend.port(), base64(SERVER.certificatePem()), base64(SERVER.keyPem()),
                base64(ROOT.certificatePem()), base64("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
                        + "-----END CERTIFICATE-----\n")));
        yaml.append(ingress("mtls", MTLS, "/", Map.of("auth-tls-secret", "apps/client-ca",
                "auth-tls-pass-certificate-to-upstream", "true")));
        // Another Ingress of the same host asks for nothing: client certificates apply to the whole host anyway.
        yaml.append(ingress("mtls-other", MTLS, "/other", Map.of()));
        yaml.append(ingress("optional", OPTIONAL, "/", Map.of("auth-tls-secret", "client-ca",
                "auth-tls-verify-client", "optional")));
        yaml.append(ingress("noca", NO_CA, "/", Map.of("auth-tls-secret", "apps/client-ca",
                "auth-tls-verify-client", "optional_no_ca")));
        yaml.append(ingress("errorpage", ERROR_PAGE, "/", Map.of("auth-tls-secret", "apps/client-ca",
                "auth-tls-error-page", "https://errors.certs.test/client-certificate.html")));
        yaml.append(ingress("cn", MATCH_CN, "/", Map.of("auth-tls-secret", "apps/client-ca",
                "auth-tls-match-cn", "CN=(bob|alice)")));
        yaml.append(ingress("broken", BROKEN, "/", Map.of("auth-tls-secret", "apps/missing-ca")));
        yaml.append(ingress("garbled", GARBLED, "/", Map.of("auth-tls-secret", "garbled-ca")));
        yaml.append(ingress("plainhttp", PLAIN_HTTP, "/", Map.of("auth-tls-secret", "apps/client-ca",
                "ssl-redirect", "false")));
        yaml.append(ingress("open", OPEN, "/", Map.of()));
        Files.writeString(manifests.resolve("apps.yaml"), yaml);
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    static String ingress(String name, String host, String path, Map<String, String> annotations) {
        StringBuilder yaml = new StringBuilder("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                  annotations:
                """.formatted(name));
        yaml.append("    ingress-gateway.io/test: \"" + name + "\"\n");
        annotations.forEach((key, value) -> yaml.append("    nginx.ingress.kubernetes.io/" + key + ": \"" + value
                + "\"\n"));
        yaml.append("""
                spec:
                  ingressClassName: ingress-gateway
                  tls: [{hosts: ["%s"], secretName: wildcard}]
                  rules:
                    - host: "%s"
                      http:
                        paths:
                          - path: %s
                            pathType: Prefix
                            backend: {service: {name: web, port: {number: 80}}}
                """.formatted(host, host, path));
        return yaml.toString();
    }

    static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Autowired
    HttpsListener listener;

    @LocalServerPort
    int httpPort;

    @BeforeEach
    void routesServed() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(https(OPEN, OPEN, "/ready", null, Map.of()).status()).isEqualTo(200);
            assertThat(https(MTLS, MTLS, "/ready", ALICE, Map.of()).status()).isEqualTo(200);
            assertThat(https(BROKEN, BROKEN, "/ready", ALICE, Map.of()).status()).isEqualTo(403);
        });
        backend.reset();
    }

    @Test
    void onRefusesClientsWithoutACertificateOrWithAnotherCasAndTellsTheUpstreamWhoPassed() throws Exception {
        Response none = https(MTLS, MTLS, "/", null, Map.of());
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body()).contains("No required SSL certificate was sent");
        assertThat(none.askedForCertificate()).isTrue();

        Response foreign = https(MTLS, MTLS, "/", MALLORY, Map.of());
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.body()).contains("The SSL certificate error");
        assertThat(backend.requests()).isEmpty();

        // What the client claims in these headers never reaches the upstream.
        Response alice = https(MTLS, MTLS, "/hello", ALICE, Map.of("ssl-client-subject-dn", "CN=admin",
                "ssl-client-verify", "SUCCESS"));
        assertThat(alice.status()).isEqualTo(200);
        LoggedRequest received = backend.lastRequest();
        assertThat(received.getUrl()).isEqualTo("/hello");
        assertThat(received.getHeader("ssl-client-verify")).isEqualTo("SUCCESS");
        assertThat(received.getHeaders().getHeader("ssl-client-subject-dn").values()).containsExactly("CN=alice");
        assertThat(received.getHeader("ssl-client-issuer-dn")).isEqualTo("CN=Client Root");
        assertThat(received.getHeader("ssl-client-cert")).startsWith("-----BEGIN%20CERTIFICATE-----%0A");
    }

    @Test
    void theWholeHostAsksEvenThePathsOfIngressesThatDoNot() throws Exception {
        assertThat(https(MTLS, MTLS, "/other", null, Map.of()).status()).isEqualTo(400);
        assertThat(https(MTLS, MTLS, "/other", ALICE, Map.of()).status()).isEqualTo(200);
        assertThat(backend.lastRequest().getHeader("ssl-client-verify")).isEqualTo("SUCCESS");
        // Only the annotated Ingress passes the certificate itself.
        assertThat(backend.lastRequest().containsHeader("ssl-client-cert")).isTrue();
    }

    @Test
    void hostsWithoutClientCertificatesAskForNoneAndPassClientHeadersAlong() throws Exception {
        Response open = https(OPEN, OPEN, "/", ALICE, Map.of("ssl-client-verify", "whatever"));

        assertThat(open.status()).isEqualTo(200);
        assertThat(open.askedForCertificate()).isFalse();
        assertThat(backend.lastRequest().getHeader("ssl-client-verify")).isEqualTo("whatever");
    }

    @Test
    void optionalLetsClientsWithoutACertificateThroughButNotWithAFailingOne() throws Exception {
        assertThat(https(OPTIONAL, OPTIONAL, "/", null, Map.of("ssl-client-subject-dn", "CN=admin")).status())
                .isEqualTo(200);
        LoggedRequest anonymous = backend.lastRequest();
        assertThat(anonymous.getHeader("ssl-client-verify")).isEqualTo("NONE");
        assertThat(anonymous.containsHeader("ssl-client-subject-dn")).isFalse();
        assertThat(anonymous.containsHeader("ssl-client-cert")).isFalse();

        assertThat(https(OPTIONAL, OPTIONAL, "/", MALLORY, Map.of()).status()).isEqualTo(400);
        assertThat(https(OPTIONAL, OPTIONAL, "/", ALICE, Map.of()).status()).isEqualTo(200);
        assertThat(backend.lastRequest().getHeader("ssl-client-verify")).isEqualTo("SUCCESS");
        assertThat(backend.lastRequest().containsHeader("ssl-client-cert")).as("not asked for").isFalse();
    }

    @Test
    void optionalNoCaLetsEveryoneThroughAndTellsTheUpstreamWhy() throws Exception {
        assertThat(https(NO_CA, NO_CA, "/", MALLORY, Map.of()).status()).isEqualTo(200);
        assertThat(backend.lastRequest().getHeader("ssl-client-verify"))
                .isEqualTo("FAILED:unable to get local issuer certificate");
        assertThat(backend.lastRequest().getHeader("ssl-client-subject-dn")).isEqualTo("CN=mallory");
        assertThat(https(NO_CA, NO_CA, "/", null, Map.of()).status()).isEqualTo(200);
        assertThat(backend.lastRequest().getHeader("ssl-client-verify")).isEqualTo("NONE");
    }

    @Test
    void theErrorPageTakesTheFailuresInsteadOfA400() throws Exception {
        Response none = https(ERROR_PAGE, ERROR_PAGE, "/", null, Map.of());
        assertThat(none.status()).isEqualTo(302);
        assertThat(none.header("location")).isEqualTo("https://errors.certs.test/client-certificate.html");
        assertThat(https(ERROR_PAGE, ERROR_PAGE, "/", MALLORY, Map.of()).status()).isEqualTo(302);
        assertThat(https(ERROR_PAGE, ERROR_PAGE, "/", ALICE, Map.of()).status()).isEqualTo(200);
    }

    @Test
    void matchCnRefusesOtherSubjects() throws Exception {
        Issued carol = TestCertificates.issuedBy(ROOT, "carol", false);

        assertThat(https(MATCH_CN, MATCH_CN, "/", carol, Map.of()).status()).isEqualTo(403);
        assertThat(https(MATCH_CN, MATCH_CN, "/", ALICE, Map.of()).status()).isEqualTo(200);
    }

    @Test
    void aHostWhoseCaSecretIsMissingOrUnreadableIsRefusedAndTheOthersServe() throws Exception {
        Response broken = https(BROKEN, BROKEN, "/", ALICE, Map.of());
        assertThat(broken.status()).isEqualTo(403);
        assertThat(broken.askedForCertificate()).as("nothing to check it against").isFalse();
        Response garbled = https(GARBLED, GARBLED, "/", ALICE, Map.of());
        assertThat(garbled.status()).as("a ca.crt that is no certificate").isEqualTo(403);
        assertThat(garbled.askedForCertificate()).isFalse();
        assertThat(backend.requests()).isEmpty();
        assertThat(https(OPEN, OPEN, "/", null, Map.of()).status()).isEqualTo(200);
        assertThat(https(MTLS, MTLS, "/", ALICE, Map.of()).status()).isEqualTo(200);
    }

    @Test
    void plainHttpToAHostThatAsksForCertificatesHasNone() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            Response plain = exchange(socket, PLAIN_HTTP, "/", Map.of("ssl-client-verify", "SUCCESS"), false);
            assertThat(plain.status()).isEqualTo(400);
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void aRequestForTheHostOnAConnectionMadeForAnotherIsMisdirected() throws Exception {
        // The wildcard certificate covers both names, but the handshake for OPEN asked for no client certificate.
        assertThat(https(OPEN, MTLS, "/", ALICE, Map.of()).status()).isEqualTo(421);
        assertThat(https(MTLS, OPTIONAL, "/", ALICE, Map.of()).status()).isEqualTo(421);
        assertThat(https(MTLS, OPEN, "/", ALICE, Map.of()).status()).as("a host that asks nothing").isEqualTo(200);
    }

    record Response(int status, Map<String, String> headers, String body, boolean askedForCertificate) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** One HTTP/1.1 GET over TLS with SNI {@code serverName} and Host {@code host}, presenting {@code client}. */
    Response https(String serverName, String host, String path, Issued client, Map<String, String> headers)
            throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        Presenting keys = new Presenting(client);
        context.init(new javax.net.ssl.KeyManager[] {keys}, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(),
                null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return exchange(socket, host, path, headers, keys.asked);
        }
    }

    static Response exchange(Socket socket, String host, String path, Map<String, String> headers, boolean asked)
            throws Exception {
        OutputStream out = socket.getOutputStream();
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            responseHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        return new Response(Integer.parseInt(lines[0].substring(9, 12)), responseHeaders, text.substring(end + 4),
                asked);
    }

    /**
     * Presents one certificate whatever CAs the server names (the JDK's own key manager would keep a certificate
     * of another CA to itself), and records whether the server asked for one at all.
     */
    static final class Presenting extends X509ExtendedKeyManager {
        private final Issued client;
        volatile boolean asked;

        Presenting(Issued client) {
            this.client = client;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            asked = true;
            return client == null ? null : "client";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            asked = true;
            return client == null ? null : "client";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return client == null ? null : new X509Certificate[] {client.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return client == null ? null : client.keys().getPrivate();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return client == null ? new String[0] : new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
