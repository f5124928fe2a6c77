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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PROXY protocol and forwarded headers together, with trusted proxies listed (the chain ingress-nginx's template
 * describes: user, HTTP proxy, TCP load balancer with PROXY protocol, gateway). The load balancer is 127.0.0.2, the
 * HTTP proxy in 10.0.0.0/8: a PROXY header is believed only from the load balancer, and X-Forwarded-For only when the
 * address the PROXY header declares is a trusted proxy's; with compute-full-forwarded-for the chain goes upstream with
 * that proxy appended.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.client-address.use-proxy-protocol=true",
        "ingress-gateway.client-address.use-forwarded-headers=true",
        "ingress-gateway.client-address.compute-full-forwarded-for=true",
        "ingress-gateway.client-address.proxy-real-ip-cidr=127.0.0.2/32,10.0.0.0/8"})
class TrustedProxyProtocolIT {

    static final Duration CEILING = Duration.ofSeconds(30);
    static final String LOAD_BALANCER = "127.0.0.2";
    static final String STRANGER = "127.0.0.1";

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

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
        await().atMost(CEILING).ignoreExceptions().until(() -> ProxiedRequest.get(port, LOAD_BALANCER,
                ProxiedRequest.v1("192.0.2.200", "127.0.0.1", 40000, 80), false, ClientAddressManifests.OPEN,
                "/ready", "").status() == 200);
    }

    @Test
    void aPROXYHeaderFromAnUnlistedPeerIsNotBelieved() throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(port, STRANGER,
                ProxiedRequest.v2("203.0.113.5", "127.0.0.1", 40000, 80), false, ClientAddressManifests.ALLOW,
                "/stranger", "X-Forwarded-For: 203.0.113.6\r\n");

        // allow.test admits 203.0.113.0/24: neither the PROXY header nor the header of an unlisted peer gets it in.
        assertThat(response.status()).isEqualTo(403);
        ProxiedRequest.get(port, STRANGER, ProxiedRequest.v2("203.0.113.5", "127.0.0.1", 40000, 80), false,
                ClientAddressManifests.OPEN, "/stranger-open", "X-Forwarded-For: 203.0.113.6\r\n");
        LoggedRequest upstream = only("/stranger-open");
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo(STRANGER);
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo(STRANGER);
    }

    @Test
    void theLoadBalancersPROXYHeaderIsBelievedButNotAnUntrustedClientsForwardedHeader() throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(port, LOAD_BALANCER,
                ProxiedRequest.v1("203.0.113.5", "127.0.0.1", 40000, 80), false, ClientAddressManifests.ALLOW,
                "/client-direct", "X-Forwarded-For: 198.51.100.1\r\n");

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest upstream = only("/client-direct");
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo("203.0.113.5");
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo("203.0.113.5");
    }

    @Test
    void behindATrustedHttpProxyTheForwardedChainNamesTheClientAndGoesUpstreamWithTheProxyAppended()
            throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(port, LOAD_BALANCER,
                ProxiedRequest.v2("10.1.1.1", "127.0.0.1", 40000, 80), false, ClientAddressManifests.ALLOW,
                "/via-http-proxy", "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n");

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest upstream = only("/via-http-proxy");
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo("203.0.113.9");
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo("198.51.100.1, 203.0.113.9, 10.1.1.1");
    }

    private LoggedRequest only(String path) {
        List<LoggedRequest> requests = backend.findAll(getRequestedFor(urlEqualTo(path)));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
