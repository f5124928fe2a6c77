package io.ingressgateway.gateway.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.ingressgateway.tls.HttpsListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PROXY protocol v1 and v2 on both public listeners of the real gateway ({@code use-proxy-protocol}; headers written
 * byte by byte on a raw socket, before the TLS handshake on HTTPS): the address the header declares is the client's,
 * sent upstream in X-Forwarded-For and X-Real-IP, judged by the allow lists, and counted by the per-client-address
 * connection cap. A connection without the header is refused.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.port=0",
        "ingress-gateway.client-address.use-proxy-protocol=true",
        "ingress-gateway.listener.max-connections-per-client-address=1"})
class ProxyProtocolIT {

    static final Duration CEILING = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int httpPort;

    @Autowired
    HttpsListener https;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("served")));
        ClientAddressManifests.write(manifests, backend.port());
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @AfterAll
    static void stopBackend() {
        backend.stop();
    }

    @BeforeEach
    void awaitServed() {
        await().atMost(CEILING).ignoreExceptions().until(() -> ProxiedRequest.get(httpPort, "127.0.0.1",
                ProxiedRequest.v1("192.0.2.200", "127.0.0.1", 40000, 80), false, ClientAddressManifests.OPEN,
                "/ready", "").status() == 200);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
            "v1, http, 203.0.113.11",
            "v2, http, 203.0.113.12",
            "v1, https, 203.0.113.13",
            "v2, https, 203.0.113.14",
            "v1, http, 2001:db8::15",
            "v2, https, 2001:db8::16"})
    void theUpstreamSeesTheAddressThePROXYHeaderDeclares(String version, String listener, String client)
            throws Exception {
        String path = "/" + version + "-" + listener + "-" + client.replace(':', '-');
        boolean tls = listener.equals("https");
        ProxiedRequest.Response response = ProxiedRequest.get(tls ? https.port() : httpPort, "127.0.0.1",
                header(version, client), tls, ClientAddressManifests.ALLOW, path, "X-Forwarded-For: 10.9.9.9\r\n");

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        LoggedRequest upstream = only(path);
        String expected = InetAddress.getByName(client).getHostAddress();
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo(expected);
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo(expected);
        assertThat(upstream.getHeader("X-Forwarded-Proto")).isEqualTo(listener);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"v1, http", "v2, http", "v1, https", "v2, https"})
    void theAllowListJudgesThePROXYDeclaredAddress(String version, String listener) throws Exception {
        boolean tls = listener.equals("https");
        String path = "/outside-" + version + "-" + listener;
        ProxiedRequest.Response response = ProxiedRequest.get(tls ? https.port() : httpPort, "127.0.0.1",
                header(version, "192.0.2.33"), tls, ClientAddressManifests.ALLOW, path, "");

        assertThat(response.status()).isEqualTo(403);
        assertThat(backend.findAll(getRequestedFor(urlEqualTo(path)))).isEmpty();
    }

    @Test
    void aConnectionWithoutAPROXYHeaderIsRefused() throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(httpPort, "127.0.0.1", null, false,
                ClientAddressManifests.OPEN, "/no-proxy-header", "");

        assertThat(response.status()).isZero();
        assertThat(backend.findAll(getRequestedFor(urlEqualTo("/no-proxy-header")))).isEmpty();
    }

    @Test
    void theConnectionCapPerClientAddressCountsTheDeclaredClientNotTheLoadBalancer() throws Exception {
        try (Socket held = new Socket()) {
            held.connect(new InetSocketAddress("127.0.0.1", httpPort), 10_000);
            held.getOutputStream().write(ProxiedRequest.v2("198.51.100.60", "127.0.0.1", 40000, 80));
            held.getOutputStream().flush();
            // Once the held connection is counted for 198.51.100.60, a second one from it is closed unanswered...
            await().atMost(CEILING).until(() -> ProxiedRequest.get(httpPort, "127.0.0.1",
                    ProxiedRequest.v1("198.51.100.60", "127.0.0.1", 40001, 80), false,
                    ClientAddressManifests.OPEN, "/second", "").status() == 0);
            // ...while another client behind the same load balancer (same peer, 127.0.0.1) is served.
            assertThat(ProxiedRequest.get(httpPort, "127.0.0.1",
                    ProxiedRequest.v1("198.51.100.61", "127.0.0.1", 40002, 80), false,
                    ClientAddressManifests.OPEN, "/other-client", "").status()).isEqualTo(200);
        }
        assertThat(backend.findAll(getRequestedFor(urlEqualTo("/second")))).isEmpty();
        // The held connection closed: its address may connect again.
        await().atMost(CEILING).until(() -> ProxiedRequest.get(httpPort, "127.0.0.1",
                ProxiedRequest.v1("198.51.100.60", "127.0.0.1", 40003, 80), false,
                ClientAddressManifests.OPEN, "/again", "").status() == 200);
    }

    private static byte[] header(String version, String client) throws Exception {
        String destination = client.contains(":") ? "::1" : "127.0.0.1";
        return version.equals("v1") ? ProxiedRequest.v1(client, destination, 40000, 443)
                : ProxiedRequest.v2(client, destination, 40000, 443);
    }

    private LoggedRequest only(String path) {
        List<LoggedRequest> requests = backend.findAll(getRequestedFor(urlEqualTo(path)));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
