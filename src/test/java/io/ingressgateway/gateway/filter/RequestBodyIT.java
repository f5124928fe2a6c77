package io.ingressgateway.gateway.filter;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.binaryEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
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

import com.github.tomakehurst.wiremock.WireMockServer;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.Objects.IngressSpecBuilder;
import io.ingressgateway.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * The request body family end to end: the real gateway against the CRUD API server and a WireMock backend per
 * Ingress on loopback. Oversized bodies are answered 413 and the backend's journal shows it never received them;
 * bodies within the limit arrive byte for byte.
 */
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes"})
@DirtiesContext
class RequestBodyIT {

    static final String NS = "bodies";
    static final int MIB = 1024 * 1024;
    static final ApiServer api = new ApiServer();
    static final java.util.List<WireMockServer> backends = new java.util.ArrayList<>();

    static {
        api.apply(namespace(NS));
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, false));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stop() {
        backends.forEach(WireMockServer::stop);
        api.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    GatewayRouteModel routeModel;

    record Reply(int status, String body) {
    }

    @Test
    void defaultLimitOf1mRefusesA2MiBPostWithoutReachingTheUpstream() {
        WireMockServer backend = serve(ingressFor("plain", "plain.test"), "plain.test", "plain");
        Reply reply = post("plain.test", bytes(2 * MIB), false);
        assertThat(reply.status()).isEqualTo(413);
        backend.verify(0, anyRequestedFor(anyUrl()));
        // Just under the default passes whole.
        byte[] small = bytes(MIB);
        assertThat(post("plain.test", small, false).status()).isEqualTo(200);
        backend.verify(1, postRequestedFor(urlEqualTo("/upload")).withRequestBody(binaryEqualTo(small)));
    }

    @Test
    void zeroMeansNoLimit() {
        WireMockServer backend = serve(ingressFor("unlimited", "unlimited.test")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "0"), "unlimited.test", "unlimited");
        byte[] body = bytes(2 * MIB);
        assertThat(post("unlimited.test", body, false).status()).isEqualTo(200);
        assertThat(post("unlimited.test", body, true).status()).isEqualTo(200);
        backend.verify(2, postRequestedFor(urlEqualTo("/upload")).withRequestBody(binaryEqualTo(body)));
    }

    @Test
    void eightMegabytesLetsTwoThroughAndRefusesNine() {
        WireMockServer backend = serve(ingressFor("eight", "eight.test")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "8m"), "eight.test", "eight");
        byte[] two = bytes(2 * MIB);
        assertThat(post("eight.test", two, false).status()).isEqualTo(200);
        assertThat(post("eight.test", two, true).status()).isEqualTo(200);
        backend.verify(2, postRequestedFor(urlEqualTo("/upload")).withRequestBody(binaryEqualTo(two)));
        backend.resetRequests();

        assertThat(post("eight.test", bytes(9 * MIB), false).status()).isEqualTo(413);
        // Chunked: the limit is found only while reading, past the buffer; the upstream gets no complete request.
        assertThat(post("eight.test", bytes(9 * MIB), true).status()).isEqualTo(413);
        backend.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void declaredLengthOverTheLimitIsRefusedBeforeAnyBodyIsSent() throws Exception {
        WireMockServer backend = serve(ingressFor("declared", "declared.test")
                .annotation("ingress-gateway.io/proxy-body-size", "1k")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "10m"), "declared.test", "declared");
        try (RawClient client = RawClient.plain(port, Duration.ofSeconds(30))) {
            // Headers only: the gateway answers without waiting for a single byte of the body.
            client.send("POST /upload HTTP/1.1\r\nHost: declared.test\r\nContent-Length: 2048\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(413);
        }
        backend.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void chunkedBodyOverALimitWithinTheBufferNeverReachesTheUpstream() {
        WireMockServer backend = serve(ingressFor("buffered", "buffered.test")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "4k")
                .annotation("nginx.ingress.kubernetes.io/client-body-buffer-size", "64k"), "buffered.test",
                "buffered");
        assertThat(post("buffered.test", bytes(8 * 1024), true).status()).isEqualTo(413);
        backend.verify(0, anyRequestedFor(anyUrl()));
        byte[] within = bytes(4 * 1024);
        assertThat(post("buffered.test", within, true).status()).isEqualTo(200);
        backend.verify(1, postRequestedFor(urlEqualTo("/upload")).withRequestBody(binaryEqualTo(within)));
    }

    @Test
    void requestBufferingOffStreamsBodiesWithinTheLimit() {
        WireMockServer backend = serve(ingressFor("streamed", "streamed.test")
                .annotation("nginx.ingress.kubernetes.io/proxy-request-buffering", "off")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "3m"), "streamed.test", "streamed");
        byte[] body = bytes(2 * MIB);
        assertThat(post("streamed.test", body, true).status()).isEqualTo(200);
        assertThat(post("streamed.test", body, false).status()).isEqualTo(200);
        backend.verify(2, postRequestedFor(urlEqualTo("/upload")).withRequestBody(binaryEqualTo(body)));
        backend.resetRequests();
        assertThat(post("streamed.test", bytes(4 * MIB), false).status()).isEqualTo(413);
        backend.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void getsAndInvalidValuesKeepTheDefault() {
        WireMockServer backend = serve(ingressFor("invalid", "invalid.test")
                .annotation("nginx.ingress.kubernetes.io/proxy-body-size", "10MB"), "invalid.test", "invalid");
        assertThat(send("GET", "invalid.test", null, false).status()).isEqualTo(200);
        assertThat(post("invalid.test", bytes(2 * MIB), false).status()).isEqualTo(413);
        backend.verify(1, anyRequestedFor(anyUrl()));
    }

    // ---- helpers ----

    static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    static IngressSpecBuilder ingressFor(String name, String host) {
        return ingress(NS, name).className("ingress-gateway")
                .rules(rule(host, path("Prefix", "/", serviceBackend(name, 80))));
    }

    Reply post(String host, byte[] body, boolean chunked) {
        return send("POST", host, body, chunked);
    }

    /** Sends with a Content-Length, or chunked (no length, the body in 64 KiB pieces). */
    Reply send(String method, String host, byte[] body, boolean chunked) {
        HttpClient client = HttpClient.create().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .headers(h -> {
                    h.set("Host", host);
                    if (body != null && !chunked) {
                        h.set("Content-Length", body.length);
                    }
                });
        Flux<byte[]> pieces = body == null ? Flux.empty() : chunked
                ? Flux.range(0, (body.length + 65535) / 65536).map(i ->
                        Arrays.copyOfRange(body, i * 65536, Math.min(body.length, (i + 1) * 65536)))
                : Flux.just(body);
        return client.request(io.netty.handler.codec.http.HttpMethod.valueOf(method)).uri("/upload")
                .send((request, out) -> {
                    if (chunked) {
                        request.header("Transfer-Encoding", "chunked");
                    }
                    return out.send(ByteBufFlux.fromInbound(pieces));
                })
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> new Reply(response.status().code(), text)))
                .onErrorResume(error -> Mono.just(new Reply(-1, error.toString())))
                .block(Duration.ofSeconds(60));
    }

    /** Serves an Ingress whose one rule sends {@code host} to a new WireMock backend; returns the backend. */
    WireMockServer serve(IngressSpecBuilder ingress, String host, String serviceName) {
        WireMockServer backend = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        backend.start();
        backend.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200).withBody("ok")));
        backends.add(backend);
        api.apply(service(NS, serviceName, port("http", 80, 8080)));
        api.apply(endpointSlice(NS, serviceName, serviceName + "-0", "http", backend.port(), true));
        api.apply(ingress.build());
        UpstreamKey key = new UpstreamKey(NS, serviceName, "80");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                routeModel.upstream(key) != null && routeModel.upstream(key).endpoints().size() == 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> send("GET", host, null, false).status() == 200);
        backend.resetRequests();
        return backend;
    }
}
