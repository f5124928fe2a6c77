package io.ingressgateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.PlainHttpConnection;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.tls.HttpsListener;
import io.ingressgateway.upstream.LoopbackUpstream.Received;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * {@code backend-protocol} and {@code proxy-ssl-*} through the real gateway, against real upstreams on loopback:
 * HTTPS upstreams with a self-signed certificate (not verified by default, as nginx; verified against the CA of a
 * Secret and a name when asked, 502 when it does not chain or match; a client certificate from the Secret for an
 * upstream that requires one), gRPC over h2c and over TLS end to end with its trailers, a gRPC request body streamed
 * rather than buffered, and the unsupported {@code AUTO_HTTP} reported on its Ingress.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ops.ingresses-detail=full"})
class BackendProtocolIT {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String GRPC_PATH = "/helloworld.Greeter/SayHello";

    @TempDir
    static Path manifests;

    /** The HTTPS upstreams' certificate: self-signed, valid for the Service's cluster name and one other name. */
    static final Issued UPSTREAM = TestCertificates.issue("upstream", KeyFormat.EC_PKCS8, "secure.apps.svc",
            "pinned.example");
    static final Issued OTHER_CA = TestCertificates.issue("someone else", KeyFormat.EC_PKCS8, "secure.apps.svc");
    static final Issued CLIENT = TestCertificates.issue("gateway-client", KeyFormat.RSA_PKCS8);

    static LoopbackUpstream secure;
    static LoopbackUpstream mutual;
    static LoopbackUpstream cleartext;
    static LoopbackUpstream h2;
    static LoopbackUpstream tls13Only;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    HttpsListener httpsListener;

    @Autowired
    MeterRegistry registry;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    @BeforeAll
    static void startUpstreamsAndWriteManifests() throws IOException {
        secure = LoopbackUpstream.https("secure", UPSTREAM, null);
        mutual = LoopbackUpstream.https("mutual", UPSTREAM, CLIENT.certificate());
        cleartext = LoopbackUpstream.cleartextHttp1AndH2c("cleartext");
        h2 = LoopbackUpstream.h2("h2", UPSTREAM);
        tls13Only = LoopbackUpstream.https("tls13", UPSTREAM, null, "TLSv1.3");
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                """);
        yaml.append(service("secure", secure.port()))
                .append(service("mutual", mutual.port()))
                .append(service("cleartext", cleartext.port()))
                .append(service("h2", h2.port()))
                .append(service("tls13", tls13Only.port()))
                .append(secret("upstream-ca", UPSTREAM.certificatePem(), CLIENT))
                .append(secret("other-ca", OTHER_CA.certificatePem(), null))
                .append(ingress("https-unverified", "secure", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        """))
                .append(ingress("https-verified", "secure", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/upstream-ca"
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        nginx.ingress.kubernetes.io/proxy-ssl-name: "pinned.example"
                        nginx.ingress.kubernetes.io/proxy-ssl-server-name: "on"
                        """))
                .append(ingress("https-service-name", "secure", """
                        ingress-gateway.io/backend-protocol: "https"
                        ingress-gateway.io/proxy-ssl-secret: "apps/upstream-ca"
                        ingress-gateway.io/proxy-ssl-verify: "on"
                        """))
                .append(ingress("https-other-ca", "secure", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/other-ca"
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        """))
                .append(ingress("https-other-name", "secure", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/upstream-ca"
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        nginx.ingress.kubernetes.io/proxy-ssl-name: "elsewhere.example"
                        """))
                .append(ingress("https-missing-secret", "secure", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/absent"
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        """))
                .append(ingress("mtls", "mutual", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/upstream-ca"
                        """))
                .append(ingress("mtls-without-certificate", "mutual", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        """))
                .append(ingress("grpc", "cleartext", """
                        nginx.ingress.kubernetes.io/backend-protocol: "grpc"
                        """))
                .append(ingress("plain", "cleartext", """
                        example.com/unrelated: "x"
                        """))
                .append(ingress("grpcs", "h2", """
                        nginx.ingress.kubernetes.io/backend-protocol: "GRPCS"
                        nginx.ingress.kubernetes.io/proxy-ssl-secret: "apps/upstream-ca"
                        nginx.ingress.kubernetes.io/proxy-ssl-verify: "on"
                        nginx.ingress.kubernetes.io/proxy-ssl-name: "pinned.example"
                        """))
                .append(ingress("offers-tls12", "tls13", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-protocols: "TLSv1.2"
                        """))
                .append(ingress("offers-both", "tls13", """
                        nginx.ingress.kubernetes.io/backend-protocol: "HTTPS"
                        nginx.ingress.kubernetes.io/proxy-ssl-protocols: "TLSv1.2 TLSv1.3"
                        """))
                .append(ingress("auto", "cleartext", """
                        nginx.ingress.kubernetes.io/backend-protocol: "AUTO_HTTP"
                        """));
        Files.writeString(manifests.resolve("cluster.yaml"), yaml);
    }

    @AfterAll
    static void stopUpstreams() {
        for (LoopbackUpstream upstream : new LoopbackUpstream[] {secure, mutual, cleartext, h2, tls13Only}) {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @BeforeEach
    void routesServed() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> get("auto.test", "/ready").status() == 200);
        for (LoopbackUpstream upstream : new LoopbackUpstream[] {secure, mutual, cleartext, h2}) {
            upstream.received.clear();
            upstream.chunks.clear();
        }
    }

    @Test
    void anHttpsUpstreamIsNotVerifiedByDefaultAsNginx() throws Exception {
        PlainHttpConnection.Response response = get("https-unverified.test", "/orders/1?x=y");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("secure HTTP/1.1");
        Received received = secure.received.poll(30, TimeUnit.SECONDS);
        assertThat(received.method()).isEqualTo("GET");
        assertThat(received.path()).isEqualTo("/orders/1?x=y");
        assertThat(received.host()).isEqualTo("https-unverified.test");
        assertThat(received.serverNames()).as("proxy-ssl-server-name is off by default").isEmpty();
    }

    @Test
    void aVerifiedUpstreamIsReachedWithTheSecretsCaAndTheNameItIsGivenSentAsSni() throws Exception {
        PlainHttpConnection.Response response = get("https-verified.test", "/v");

        assertThat(response.status()).isEqualTo(200);
        Received received = secure.received.poll(30, TimeUnit.SECONDS);
        assertThat(received.path()).isEqualTo("/v");
        assertThat(received.serverNames()).containsExactly("pinned.example");

        assertThat(get("https-service-name.test", "/s").status())
                .as("without proxy-ssl-name the certificate must be valid for service.namespace.svc")
                .isEqualTo(200);
    }

    @Test
    void aCertificateThatDoesNotChainToTheCaOrMatchTheNameIs502AndNeverReachesTheUpstream() throws Exception {
        assertThat(get("https-other-ca.test", "/x").status()).isEqualTo(502);
        assertThat(get("https-other-name.test", "/x").status()).isEqualTo(502);
        assertThat(get("https-missing-secret.test", "/x").status()).as("verify on without a CA fails closed")
                .isEqualTo(502);
        assertThat(secure.received).isEmpty();
    }

    @Test
    void aRefusedCertificateIsCountedAsAFailureOfTheUpstream() throws Exception {
        double before = failures("https-other-ca");

        assertThat(get("https-other-ca.test", "/counted").status()).isEqualTo(502);

        assertThat(failures("https-other-ca")).isEqualTo(before + 1);
    }

    @Test
    void theTlsVersionsOfferedAreProxySslProtocols() throws Exception {
        assertThat(get("offers-tls12.test", "/v").status()).as("a TLSv1.3-only upstream").isEqualTo(502);
        assertThat(get("offers-both.test", "/v").status()).isEqualTo(200);
    }

    /** The calls the circuit breaker of the Ingress's upstream recorded as failed. */
    double failures(String ingress) {
        var counter = registry.find("ingress.gateway.upstream.circuit.calls").tag("ingress", ingress)
                .tag("outcome", "failure").functionCounter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void unverifiedAndVerifiedRoutesToOneEndpointNeverShareAConnection() throws Exception {
        // The unverified route's pooled connection to the same endpoint must not carry the verified route's request.
        for (int i = 0; i < 3; i++) {
            assertThat(get("https-unverified.test", "/a" + i).status()).isEqualTo(200);
            assertThat(get("https-other-ca.test", "/b" + i).status()).isEqualTo(502);
        }
        assertThat(secure.received).extracting(Received::path).containsExactly("/a0", "/a1", "/a2");
    }

    @Test
    void theSecretsClientCertificateIsPresentedToAnUpstreamThatRequiresOne() throws Exception {
        PlainHttpConnection.Response response = get("mtls.test", "/who");

        assertThat(response.status()).isEqualTo(200);
        assertThat(mutual.received.poll(30, TimeUnit.SECONDS).clientCertificate()).isEqualTo("CN=gateway-client");
        assertThat(get("mtls-without-certificate.test", "/who").status()).isEqualTo(502);
    }

    @Test
    void grpcOverH2cCarriesTheCallAndItsTrailersEndToEnd() throws Exception {
        GrpcReply reply = grpcCall("grpc.test", "ping");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).isEqualTo("application/grpc");
        assertThat(reply.body()).isEqualTo(LoopbackUpstream.grpcMessage("pong:ping"));
        assertThat(reply.trailers().get("grpc-status")).isEqualTo("0");
        assertThat(reply.trailers().get("grpc-message")).isEqualTo("answered-by-cleartext");
        Received received = cleartext.received.poll(30, TimeUnit.SECONDS);
        assertThat(received.protocol()).isEqualTo("HTTP/2.0");
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo(GRPC_PATH);
        assertThat(received.contentType()).isEqualTo("application/grpc");
        assertThat(received.te()).isEqualTo("trailers");
        assertThat(received.host()).isEqualTo("grpc.test");
        assertThat(received.body()).isEqualTo(LoopbackUpstream.grpcMessage("ping"));
    }

    @Test
    void grpcsOverTlsWithAlpnCarriesTheCallAndItsTrailersEndToEnd() throws Exception {
        GrpcReply reply = grpcCall("grpcs.test", "secure-ping");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(LoopbackUpstream.grpcMessage("pong:secure-ping"));
        assertThat(reply.trailers().get("grpc-status")).isEqualTo("0");
        assertThat(reply.trailers().get("grpc-message")).isEqualTo("answered-by-h2");
        Received received = h2.received.poll(30, TimeUnit.SECONDS);
        assertThat(received.protocol()).isEqualTo("HTTP/2.0");
        assertThat(received.path()).isEqualTo(GRPC_PATH);
        assertThat(received.te()).isEqualTo("trailers");
        assertThat(received.body()).isEqualTo(LoopbackUpstream.grpcMessage("secure-ping"));
    }

    @Test
    void aGrpcRequestBodyIsStreamedToTheUpstreamNotBuffered() throws Exception {
        // The second message is sent only once the upstream has the first: a gateway that held the body until its
        // end (or 8k of it) would keep the call from ever completing.
        byte[] first = LoopbackUpstream.grpcMessage("one");
        byte[] second = LoopbackUpstream.grpcMessage("two");
        Mono<byte[]> secondOnceFirstArrived = Mono.fromCallable(() -> {
            await().atMost(WAIT).until(() -> !cleartext.chunks.isEmpty());
            return second;
        }).subscribeOn(Schedulers.boundedElastic());
        GrpcReply reply = grpcCall("grpc.test", Flux.concat(Mono.just(first), secondOnceFirstArrived));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.trailers().get("grpc-status")).isEqualTo("0");
        Received received = cleartext.received.poll(30, TimeUnit.SECONDS);
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        assertThat(received.body()).isEqualTo(both);
    }

    @Test
    void http1AndH2cRequestsToOneEndpointEachKeepTheirProtocol() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(get("plain.test", "/p" + i).body()).isEqualTo("cleartext HTTP/1.1");
            assertThat(grpcCall("grpc.test", "g" + i).status()).isEqualTo(200);
        }
        List<Received> received = List.copyOf(cleartext.received);
        assertThat(received).filteredOn(r -> r.path().startsWith("/p")).extracting(Received::protocol)
                .containsOnly("HTTP/1.1").hasSize(3);
        assertThat(received).filteredOn(r -> r.path().equals(GRPC_PATH)).extracting(Received::protocol)
                .containsOnly("HTTP/2.0").hasSize(3);
    }

    @Test
    void autoHttpIsServedAsHttpAndReportedOnItsIngress() throws Exception {
        assertThat(get("auto.test", "/a").body()).isEqualTo("cleartext HTTP/1.1");

        WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort)
                .responseTimeout(Duration.ofSeconds(10)).build();
        management.get().uri("/actuator/ingresses/apps/auto").accept(MediaType.APPLICATION_JSON).exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.served").isEqualTo(true)
                .jsonPath("$.diagnostics.length()").isEqualTo(1)
                .jsonPath("$.diagnostics[0].severity").isEqualTo("WARNING")
                .jsonPath("$.diagnostics[0].field")
                .isEqualTo("metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']")
                .jsonPath("$.diagnostics[0].message").value(message -> assertThat(String.valueOf(message))
                        .contains("'AUTO_HTTP'").contains("not support"));
        management.get().uri("/actuator/ingresses/apps/https-missing-secret").accept(MediaType.APPLICATION_JSON)
                .exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.diagnostics[0].field")
                .isEqualTo("metadata.annotations['nginx.ingress.kubernetes.io/proxy-ssl-secret']")
                .jsonPath("$.diagnostics[0].message").value(message -> assertThat(String.valueOf(message))
                        .contains("apps/absent").contains("502"));
    }

    record GrpcReply(int status, String contentType, byte[] body, HttpHeaders trailers) {
    }

    GrpcReply grpcCall(String host, String message) {
        return grpcCall(host, Flux.just(LoopbackUpstream.grpcMessage(message)));
    }

    /** A gRPC-shaped call over HTTP/2 to the gateway's HTTPS listener (how gRPC clients reach ingress-nginx). */
    GrpcReply grpcCall(String host, Flux<byte[]> messages) {
        HttpClient client = HttpClient.create()
                .protocol(HttpProtocol.H2)
                .secure(spec -> spec.sslContext(Http2SslContextSpec.forClient()
                        .configure(builder -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE))))
                .headers(headers -> headers.set("host", host)
                        .set("content-type", "application/grpc")
                        .set("te", "trailers"))
                .responseTimeout(WAIT);
        return client.post()
                .uri("https://127.0.0.1:" + httpsListener.port() + GRPC_PATH)
                .send(ByteBufFlux.fromInbound(messages.map(Unpooled::wrappedBuffer)))
                .response((response, body) -> body.aggregate().asByteArray().defaultIfEmpty(new byte[0])
                        .zipWith(response.trailerHeaders())
                        .map(parts -> new GrpcReply(response.status().code(),
                                response.responseHeaders().get("content-type"), parts.getT1(), parts.getT2())))
                .single()
                .block(WAIT);
    }

    PlainHttpConnection.Response get(String host, String path) throws IOException {
        try (PlainHttpConnection client = new PlainHttpConnection(port, host, WAIT)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        }
    }

    static String service(String name, int port) {
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: %1$s
                spec:
                  ports:
                    - name: web
                      port: 443
                      targetPort: %2$d
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: %1$s-1
                  labels:
                    kubernetes.io/service-name: %1$s
                addressType: IPv4
                ports:
                  - name: web
                    port: %2$d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(name, port);
    }

    /** A {@code kubernetes.io/tls} Secret with {@code ca.crt}, as cert-manager writes one. */
    static String secret(String name, String caPem, Issued client) {
        Issued certificate = client != null ? client : TestCertificates.issue("unused", KeyFormat.EC_PKCS8);
        return """
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  namespace: apps
                  name: %s
                type: kubernetes.io/tls
                data:
                  ca.crt: %s
                  tls.crt: %s
                  tls.key: %s
                """.formatted(name, base64(caPem), base64(certificate.certificatePem()),
                base64(certificate.keyPem()));
    }

    static String ingress(String name, String service, String annotations) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %1$s
                  annotations:
                %3$s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %1$s.test
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: %2$s
                                port:
                                  number: 443
                """.formatted(name, service, annotations.indent(4).stripTrailing());
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
