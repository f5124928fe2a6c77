package io.ingressgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.tls.Http2FrameClient.Response;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * 421 Misdirected Request on the real gateway: a request whose host is another TLS host than the connection's
 * certificate covers (what a browser coalescing connections, or a client fronting one name with another, sends) is
 * refused over HTTP/2 and HTTP/1.1; requests the certificate covers, requests for hosts without TLS and requests on
 * connections without SNI are served as before.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests"})
class MisdirectedRequestIT {

    static final String A = "a.misdirected.test";
    static final String B = "b.misdirected.test";
    static final String WILD_X = "x.wild.misdirected.test";
    static final String WILD_Y = "y.wild.misdirected.test";
    static final String PLAIN = "plain.misdirected.test";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final HeldBackend backend = new HeldBackend();

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        TlsManifests.write(manifests, backend.port(), List.of(
                new TlsManifests.TlsHost(A, "a-cert", TestCertificates.issue(A, KeyFormat.EC_PKCS8, A)),
                new TlsManifests.TlsHost(B, "b-cert", TestCertificates.issue(B, KeyFormat.EC_PKCS8, B)),
                new TlsManifests.TlsHost("*.wild.misdirected.test", "wild-cert", TestCertificates.issue(
                        "wild.misdirected.test", KeyFormat.RSA_PKCS8, "*.wild.misdirected.test"))),
                List.of(PLAIN));
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    @Autowired
    HttpsListener listener;

    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void routesServed() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (String host : List.of(A, B, WILD_X, PLAIN)) {
                try (Http2FrameClient client = new Http2FrameClient(listener.port(), host)) {
                    assertThat(client.get(host, "/ready").status()).as(host).isEqualTo(200);
                }
            }
        });
    }

    @Test
    void http2RequestForAnotherTlsHostOnAConnectionMadeForOneIsAnswered421() throws Exception {
        double before = misdirected();
        try (Http2FrameClient client = new Http2FrameClient(listener.port(), A)) {
            assertThat(client.get(A, "/own").status()).isEqualTo(200);

            Response misdirected = client.get(B, "/coalesced");
            assertThat(misdirected.status()).isEqualTo(421);
            assertThat(misdirected.body()).isEqualTo(MisdirectedRequests.BODY);

            assertThat(client.get(B.toUpperCase() + ":443", "/coalesced").status())
                    .as("any case, with a port").isEqualTo(421);
            assertThat(client.get(PLAIN, "/no-tls").status()).as("a host without TLS").isEqualTo(200);
            assertThat(client.get(A, "/own-again").status()).as("the connection stays usable").isEqualTo(200);
        }
        assertThat(misdirected()).isEqualTo(before + 2);
    }

    @Test
    void hostsTheCertificateCoversAreServedOnOneConnectionOthersAnswered421() throws Exception {
        try (Http2FrameClient client = new Http2FrameClient(listener.port(), WILD_X)) {
            assertThat(client.get(WILD_X, "/").status()).isEqualTo(200);
            assertThat(client.get(WILD_Y, "/").status()).as("covered by the wildcard certificate").isEqualTo(200);
            assertThat(client.get(B, "/").status()).as("not covered").isEqualTo(421);
        }
        // A client connecting by address sends no SNI: nothing to compare with, served as before.
        try (Http2FrameClient client = new Http2FrameClient(listener.port(), null)) {
            assertThat(client.get(B, "/").status()).isEqualTo(200);
            assertThat(client.get(A, "/").status()).isEqualTo(200);
        }
    }

    @Test
    void http11OverTlsIsAnsweredTheSameWay() throws Exception {
        assertThat(http11Status(A, B)).isEqualTo(421);
        assertThat(http11Status(A, A)).isEqualTo(200);
        assertThat(http11Status(A, PLAIN)).isEqualTo(200);
        assertThat(http11Status(null, B)).as("no SNI").isEqualTo(200);
    }

    /** The status of one HTTP/1.1 GET over TLS with SNI {@code serverName} (none if null) and Host {@code host}. */
    int http11Status(String serverName, String host) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            socket.setSSLParameters(parameters);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    double misdirected() {
        FunctionCounter counter = registry.find("ingress.gateway.misdirected.requests").functionCounter();
        return counter == null ? 0 : counter.count();
    }
}
