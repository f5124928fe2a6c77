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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Trusted proxies through the real gateway ({@code use-forwarded-headers} with {@code proxy-real-ip-cidr}
 * 127.0.0.2/32): the proxy's word about the client (X-Forwarded-For walked from the right, X-Forwarded-Proto, -Host,
 * -Port) is believed and passed upstream, as in ingress-nginx's forwarded_headers e2e test; anyone else's is
 * replaced. The allow and deny lists judge the address so resolved; an unreadable list closes its Ingress (403) with
 * a diagnostic while the others serve. The global deny list (198.51.100.99) applies where an Ingress sets no deny list
 * of its own, which replaces it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.client-address.use-forwarded-headers=true",
        "ingress-gateway.client-address.proxy-real-ip-cidr=127.0.0.2/32",
        "ingress-gateway.source-ranges.denylist=198.51.100.99"})
class ForwardedHeadersIT {

    static final Duration CEILING = Duration.ofSeconds(30);
    static final String TRUSTED_PROXY = "127.0.0.2";
    static final String UNTRUSTED = "127.0.0.1";
    static final String FORWARDED = "X-Forwarded-For: 198.51.100.1, 203.0.113.5\r\n"
            + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example, other.example\r\n"
            + "X-Forwarded-Port: 8443\r\n";

    @TempDir
    static Path manifests;

    static final WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

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
        await().atMost(CEILING).ignoreExceptions().until(() ->
                ProxiedRequest.get(port, UNTRUSTED, null, false, ClientAddressManifests.OPEN, "/ready", "")
                        .status() == 200);
    }

    @Test
    void aTrustedProxysForwardedHeadersAreBelievedAndPassedUpstream() throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(port, TRUSTED_PROXY, null, false,
                ClientAddressManifests.OPEN, "/trusted", FORWARDED);

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest upstream = only("/trusted");
        // The first address from the right that is not a trusted proxy's, sent alone (compute-full-forwarded-for off).
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo("203.0.113.5");
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo("203.0.113.5");
        assertThat(upstream.getHeader("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(upstream.getHeader("X-Forwarded-Scheme")).isEqualTo("https");
        assertThat(upstream.getHeader("X-Forwarded-Host")).isEqualTo("shop.example");
        assertThat(upstream.getHeader("X-Forwarded-Port")).isEqualTo("8443");
    }

    @Test
    void anUntrustedSendersForwardedHeadersAreReplaced() throws Exception {
        ProxiedRequest.Response response = ProxiedRequest.get(port, UNTRUSTED, null, false,
                ClientAddressManifests.OPEN, "/untrusted", FORWARDED);

        assertThat(response.status()).isEqualTo(200);
        LoggedRequest upstream = only("/untrusted");
        assertThat(upstream.getHeader("X-Forwarded-For")).isEqualTo(UNTRUSTED);
        assertThat(upstream.getHeader("X-Real-IP")).isEqualTo(UNTRUSTED);
        assertThat(upstream.getHeader("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(upstream.getHeader("X-Forwarded-Host")).isEqualTo(ClientAddressManifests.OPEN);
        assertThat(upstream.getHeader("X-Forwarded-Port")).isEqualTo("80");
    }

    @Test
    void theAllowListJudgesTheAddressATrustedProxyVouchesFor() throws Exception {
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.ALLOW, "/allowed",
                "X-Forwarded-For: 203.0.113.77\r\n").status()).isEqualTo(200);
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.ALLOW, "/allowed-v6",
                "X-Forwarded-For: 2001:db8::42\r\n").status()).isEqualTo(200);
        assertThat(upstreamCalls("/allowed")).isEqualTo(1);

        // Outside the list, and the same claim from an untrusted sender: refused before the upstream.
        ProxiedRequest.Response outside = ProxiedRequest.get(port, TRUSTED_PROXY, null, false,
                ClientAddressManifests.ALLOW, "/refused", "X-Forwarded-For: 192.0.2.1\r\n");
        ProxiedRequest.Response spoofed = ProxiedRequest.get(port, UNTRUSTED, null, false,
                ClientAddressManifests.ALLOW, "/spoofed", "X-Forwarded-For: 203.0.113.77\r\n");
        assertThat(outside.status()).isEqualTo(403);
        assertThat(outside.text()).contains("Access to this resource is denied.");
        assertThat(spoofed.status()).isEqualTo(403);
        assertThat(upstreamCalls("/refused") + upstreamCalls("/spoofed")).isZero();
    }

    @Test
    void theDenyListRefusesItsAddressesAndServesTheRest() throws Exception {
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.DENY, "/denied",
                "X-Forwarded-For: 198.51.100.7\r\n").status()).isEqualTo(403);
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.DENY, "/not-denied",
                "X-Forwarded-For: 198.51.100.8\r\n").status()).isEqualTo(200);
        assertThat(upstreamCalls("/denied")).isZero();
    }

    @Test
    void aMalformedCidrClosesItsIngressWithADiagnosticWhileTheOthersServe() throws Exception {
        // 203.0.113.5 is in the broken list's readable part: a list that cannot be read wholly opens nothing.
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.BROKEN, "/broken",
                "X-Forwarded-For: 203.0.113.5\r\n").status()).isEqualTo(403);
        assertThat(upstreamCalls("/broken")).isZero();
        assertThat(ProxiedRequest.get(port, UNTRUSTED, null, false, ClientAddressManifests.OPEN, "/still-open", "")
                .status()).isEqualTo(200);

        String report = management("/actuator/ingresses");
        assertThat(report).contains("whitelist-source-range").contains("10.0.0.0/33")
                .contains("every request to this Ingress's routes is denied (403)");
    }

    @Test
    void theGlobalDenyListAppliesUnlessTheIngressSetsItsOwn() throws Exception {
        String client = "X-Forwarded-For: 198.51.100.99\r\n";
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.OPEN, "/global-deny",
                client).status()).isEqualTo(403);
        // deny.test's own deny list (198.51.100.7) replaces the global one.
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.DENY, "/own-deny",
                client).status()).isEqualTo(200);
        assertThat(upstreamCalls("/global-deny")).isZero();
    }

    @Test
    void aTrustedProxyThatTookTheRequestOverHttpsIsNotRedirectedAgain() throws Exception {
        String proto = "X-Forwarded-Proto: https\r\n";
        assertThat(ProxiedRequest.get(port, TRUSTED_PROXY, null, false, ClientAddressManifests.SECURE, "/offloaded",
                proto).status()).isEqualTo(200);
        ProxiedRequest.Response untrusted = ProxiedRequest.get(port, UNTRUSTED, null, false,
                ClientAddressManifests.SECURE, "/claimed", proto);
        assertThat(untrusted.status()).isEqualTo(308);
        assertThat(upstreamCalls("/claimed")).isZero();
    }

    private LoggedRequest only(String path) {
        List<LoggedRequest> requests = backend.findAll(getRequestedFor(urlEqualTo(path)));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private int upstreamCalls(String path) {
        return backend.findAll(getRequestedFor(urlEqualTo(path))).size();
    }

    private String management(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + managementPort + path)).timeout(CEILING).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
