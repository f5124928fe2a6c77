package io.ingressgateway.resilience;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * ExternalName upstreams on the real gateway, turned on, with 127.0.0.2 allowed as the operator's exception: what
 * leads to loopback, link-local or the gateway's own addresses is refused, whether the translator can tell from the
 * name (an IP literal: 503 and a warning) or only the lookup can (a name: 502, counted, judged again on every new
 * connection, so a name rebound to loopback is refused too); nothing connects to a refused address. Allowed names are
 * proxied, and pod endpoints, on loopback here, are never judged.
 *
 * <p>Names are looked up in a test DNS (the {@code externalNameDns} seam: a Netty resolver over a map) so that a name
 * can lead to link-local or change its answer without a network; what is judged, and how, is the gateway's own code.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.tls.enabled=false",
        "ingress-gateway.external-name-services.enabled=true",
        "ingress-gateway.external-name-services.allowed-cidrs=127.0.0.2/32"})
class ExternalNameIT {

    @TempDir
    static Path manifests;

    /** What must never be reached: a plain socket on 127.0.0.1 that counts every connection it accepts. */
    static final Tripwire forbidden = new Tripwire();
    /** The operator's allowed upstream, on 127.0.0.2. */
    static final WireMockServer allowed = new WireMockServer(options().bindAddress("127.0.0.2").dynamicPort());
    /** A pod endpoint, on 127.0.0.1: EndpointSlice addresses are the cluster's and are never judged. */
    static final WireMockServer pod = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    static final TestDns dns = new TestDns();

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    MeterRegistry registry;

    @TestConfiguration
    static class Dns {

        @Bean(ResilienceConfiguration.EXTERNAL_NAME_DNS)
        AddressResolverGroup<InetSocketAddress> externalNameDns() {
            return dns;
        }
    }

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry properties) throws IOException {
        allowed.start();
        allowed.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("allowed")));
        // Closes its connection after answering: the gateway's next request to it must connect (and resolve) again.
        allowed.stubFor(any(urlEqualTo("/close")).willReturn(aResponse().withStatus(200).withBody("allowed")
                .withHeader("Connection", "close")));
        pod.start();
        pod.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("pod")));

        dns.answer("allowed.example", "127.0.0.2");
        dns.answer("loopback.example", "127.0.0.1");
        dns.answer("metadata.example", "169.254.169.254");
        dns.answer("link-local-v6.example", "fe80::1");
        dns.answer("mixed.example", "127.0.0.2", "127.0.0.1");
        dns.answer("rebind.example", "127.0.0.2");

        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: pods
                spec:
                  ports:
                    - name: http
                      port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: pods-1
                  labels:
                    kubernetes.io/service-name: pods
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                endpoints:
                  - addresses: ["127.0.0.1"]
                """.formatted(pod.port()));
        yaml.append(ingress("pods.test", "pods", 80));
        externalName(yaml, "allowed", "allowed.example", allowed.port());
        externalName(yaml, "allowed-literal", "127.0.0.2", allowed.port());
        externalName(yaml, "rebind", "rebind.example", allowed.port());
        externalName(yaml, "loopback-literal", "127.0.0.1", forbidden.port());
        externalName(yaml, "localhost", "localhost", forbidden.port());
        externalName(yaml, "loopback", "loopback.example", forbidden.port());
        externalName(yaml, "mixed", "mixed.example", forbidden.port());
        externalName(yaml, "metadata", "metadata.example", forbidden.port());
        externalName(yaml, "link-local-v6", "link-local-v6.example", forbidden.port());
        String own = ownNonLoopbackAddress();
        if (own != null) {
            externalName(yaml, "own", own, forbidden.port());
        }
        Files.writeString(manifests.resolve("apps.yaml"), yaml);
        properties.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    /** Service {@code name} of type ExternalName and Ingress {@code name.test} routing {@code /} to its port. */
    private static void externalName(StringBuilder yaml, String name, String externalName, int port) {
        yaml.append("""
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  type: ExternalName
                  externalName: "%s"
                """.formatted(name, externalName));
        yaml.append(ingress(name + ".test", name, port));
    }

    private static String ingress(String host, String service, int port) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %s
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: %s
                                port:
                                  number: %d
                """.formatted(service, host, service, port);
    }

    @AfterAll
    static void stop() {
        allowed.stop();
        pod.stop();
        forbidden.close();
    }

    HttpProbe http;

    @BeforeEach
    void servingApps() {
        http = new HttpProbe(port);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.get("pods.test", "/").status() == 200);
    }

    @Test
    void anAllowedNameIsProxiedAndPodEndpointsOnLoopbackAreNeverJudged() {
        assertThat(http.get("allowed.test", "/").body()).isEqualTo("allowed");
        assertThat(http.get("allowed-literal.test", "/").body()).isEqualTo("allowed");
        HttpProbe.Response fromPod = http.get("pods.test", "/");
        assertThat(fromPod.status()).isEqualTo(200);
        assertThat(fromPod.body()).isEqualTo("pod");
        assertThat(forbidden.accepted()).isZero();
    }

    /** The WebSocket client has no resolver of its own per request: an upgrade to an ExternalName is refused. */
    @Test
    void aWebSocketUpgradeToAnExternalNameIsRefused() {
        allowed.resetRequests();
        HttpProbe.Response upgrade = http.get("allowed.test", "/socket", Map.of("Connection", "Upgrade",
                "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key",
                "dGhlIHNhbXBsZSBub25jZQ=="));

        assertThat(upgrade.status()).isEqualTo(502);
        assertThat(allowed.getAllServeEvents()).isEmpty();
    }

    @Test
    void loopbackLiteralsAreRefusedByTheTranslatorWithAWarningAndNothingConnects() {
        assertThat(http.get("loopback-literal.test", "/").status()).isEqualTo(503);
        assertThat(http.get("localhost.test", "/").status()).isEqualTo(503);

        String ingresses = new HttpProbe(managementPort).get("127.0.0.1", "/actuator/ingresses").body();
        assertThat(ingresses).contains("Service apps/loopback-literal has externalName '127.0.0.1', a loopback"
                + " address").contains("Service apps/localhost has externalName 'localhost'");
        assertThat(forbidden.accepted()).isZero();
    }

    @Test
    void namesResolvingToLoopbackOrLinkLocalAreRefusedAtConnectTimeAndNothingConnects() {
        double loopbackBefore = refusals("loopback");
        double linkLocalBefore = refusals("link-local");

        for (String host : List.of("loopback.test", "mixed.test", "metadata.test", "link-local-v6.test")) {
            HttpProbe.Response response = http.get(host, "/");
            assertThat(response.status()).as(host).isEqualTo(502);
            assertThat(response.body()).as(host).contains("The upstream service's address is not allowed.")
                    .doesNotContain("127.0.0.1").doesNotContain("169.254");
        }

        assertThat(refusals("loopback")).isEqualTo(loopbackBefore + 2);
        assertThat(refusals("link-local")).isEqualTo(linkLocalBefore + 2);
        assertThat(dns.lookups("metadata.example")).isPositive();
        assertThat(forbidden.accepted()).isZero();
    }

    @Test
    void theGatewaysOwnAddressIsRefused() {
        String own = ownNonLoopbackAddress();
        org.junit.jupiter.api.Assumptions.assumeTrue(own != null, "this machine has no address but loopback");
        double before = refusals("gateway-address");

        assertThat(http.get("own.test", "/").status()).isEqualTo(502);
        assertThat(refusals("gateway-address")).isEqualTo(before + 1);
    }

    @Test
    void aNameIsJudgedAgainOnEveryNewConnectionSoRebindingItToLoopbackIsRefused() {
        assertThat(http.get("rebind.test", "/close").body()).isEqualTo("allowed");
        int lookups = dns.lookups("rebind.example");
        assertThat(lookups).isPositive();

        dns.answer("rebind.example", "127.0.0.1");
        double before = refusals("loopback");
        // The upstream closed the connection it answered on: this request connects, so looks the name up, again.
        HttpProbe.Response rebound = http.get("rebind.test", "/close");

        assertThat(rebound.status()).isEqualTo(502);
        assertThat(dns.lookups("rebind.example")).isGreaterThan(lookups);
        assertThat(refusals("loopback")).isEqualTo(before + 1);
        assertThat(forbidden.accepted()).isZero();
    }

    private double refusals(String reason) {
        Counter counter = registry.find(ExternalNameAddresses.REFUSALS).tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** An IPv4 address of this machine that is not loopback or link-local, or null. */
    private static String ownNonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DNS of names set by the test, each answer a list of addresses; counts the lookups of each name. */
    static final class TestDns extends AddressResolverGroup<InetSocketAddress> {

        private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

        void answer(String name, String... addresses) {
            answers.put(name, java.util.Arrays.stream(addresses).map(address -> {
                try {
                    return InetAddress.getByAddress(name, InetAddress.getByName(address).getAddress());
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException(e);
                }
            }).toList());
        }

        int lookups(String name) {
            AtomicInteger count = lookups.get(name);
            return count == null ? 0 : count.get();
        }

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
                @Override
                protected void doResolve(String name, Promise<InetAddress> promise) {
                    List<InetAddress> found = lookUp(name);
                    if (found == null) {
                        promise.setFailure(new UnknownHostException(name));
                    } else {
                        promise.setSuccess(found.get(0));
                    }
                }

                @Override
                protected void doResolveAll(String name, Promise<List<InetAddress>> promise) {
                    List<InetAddress> found = lookUp(name);
                    if (found == null) {
                        promise.setFailure(new UnknownHostException(name));
                    } else {
                        promise.setSuccess(found);
                    }
                }
            });
        }

        private List<InetAddress> lookUp(String name) {
            lookups.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            return answers.get(name);
        }
    }

    /** A listening socket on 127.0.0.1 that accepts and counts connections, and answers nothing. */
    static final class Tripwire implements AutoCloseable {

        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();

        Tripwire() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket ignored = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "tripwire");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
