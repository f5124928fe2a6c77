package io.ingressgateway.corpus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.ingressgateway.corpus.Corpus.Case;
import io.ingressgateway.corpus.Corpus.Exchange;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * The corpus through the real gateway: every manifest of {@code corpus/ingresses/} served at once, as an operator
 * moving from ingress-nginx would apply them (class {@code nginx} pointed at this controller), each Service an echo
 * backend on 127.0.0.1 recording what it received, and every request of {@code corpus/expectations.yaml} checked: the
 * client's status and Location, and what the upstream received (which Service, the URI, Host, headers, body size) or
 * that no upstream was asked. All mismatches are reported together.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.ingress-class=nginx"})
class CorpusIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path manifests;

    /** What an echo backend received. */
    record Received(String service, String method, String uri, Map<String, String> headers, long bodyBytes) {
    }

    private static final ConcurrentLinkedQueue<Received> RECEIVED = new ConcurrentLinkedQueue<>();
    private static final List<HttpServer> BACKENDS = new ArrayList<>();
    private static final ExecutorService BACKEND_THREADS = Executors.newFixedThreadPool(4);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void corpus(DynamicPropertyRegistry registry) throws IOException {
        Map<Corpus.ServicePort, Integer> endpointPorts = new TreeMap<>();
        Files.writeString(manifests.resolve("00-cluster.yaml"), Corpus.cluster(Corpus.objects(),
                servicePort -> endpointPorts.computeIfAbsent(servicePort, p -> echoBackend(p.toString()))));
        for (Path file : Corpus.files()) {
            // In-cluster URLs (an auth-url naming an auth Service) lead to that Service's echo backend.
            Files.writeString(manifests.resolve(file.getFileName()),
                    Corpus.resolveClusterUrls(Files.readString(file), endpointPorts::get));
        }
        registry.add("ingress-gateway.manifests-dir", () -> manifests.toString());
    }

    /** Starts an HTTP backend that records each request as {@code service} received it and answers 200. */
    private static int echoBackend(String service) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(BACKEND_THREADS);
            server.createContext("/", exchange -> {
                long bodyBytes = 0;
                try (InputStream body = exchange.getRequestBody()) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                        bodyBytes += read;
                    }
                }
                Map<String, String> headers = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) ->
                        headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
                RECEIVED.add(new Received(service, exchange.getRequestMethod(),
                        exchange.getRequestURI().toString(), headers, bodyBytes));
                // A path /status/<code> is answered with that status: an upstream's error, for error pages.
                String path = exchange.getRequestURI().getPath();
                int status = path.matches("/status/[1-5][0-9][0-9]") ? Integer.parseInt(path.substring(8)) : 200;
                byte[] answer = service.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            });
            server.start();
            BACKENDS.add(server);
            return server.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopBackends() {
        BACKENDS.forEach(server -> server.stop(0));
        BACKEND_THREADS.shutdownNow();
    }

    record Reply(int status, String location, Map<String, List<String>> headers) {
    }

    private Reply send(Exchange exchange) {
        URI url = URI.create(exchange.url());
        String pathAndQuery = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        int bodyBytes = exchange.bodyBytes();
        Flux<io.netty.buffer.ByteBuf> body = Flux.range(0, (bodyBytes + chunk.length - 1) / chunk.length)
                .map(i -> Unpooled.wrappedBuffer(chunk, 0, Math.min(chunk.length, bodyBytes - i * chunk.length)));
        return HttpClient.create().baseUrl("http://127.0.0.1:" + port).responseTimeout(TIMEOUT)
                .headers(headers -> {
                    headers.set(HttpHeaderNames.HOST, url.getHost());
                    exchange.headers().forEach(headers::set);
                    if (bodyBytes > 0) {
                        headers.set(HttpHeaderNames.CONTENT_LENGTH, bodyBytes);
                    }
                })
                .request(HttpMethod.valueOf(exchange.method())).uri(pathAndQuery)
                .send(bodyBytes > 0 ? body : Flux.empty())
                .responseSingle((response, content) -> content.asString().defaultIfEmpty("")
                        .map(text -> {
                            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                            response.responseHeaders().forEach(header -> headers.computeIfAbsent(header.getKey(),
                                    name -> new ArrayList<>()).add(header.getValue()));
                            return new Reply(response.status().code(),
                                    response.responseHeaders().get(HttpHeaderNames.LOCATION), headers);
                        }))
                .block(TIMEOUT);
    }

    @Test
    void everyCorpusRequestGetsWhatIngressNginxWouldGiveIt() {
        List<Case> cases = Corpus.cases();
        assertThat(cases).extracting(Case::file).as("every manifest has expectations")
                .containsExactlyInAnyOrderElementsOf(Corpus.files().stream()
                        .map(file -> file.getFileName().toString()).toList());
        assertThat(cases.size()).isGreaterThanOrEqualTo(40);
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> send(cases.get(0).requests().get(0)).status() == 200);

        SoftAssertions softly = new SoftAssertions();
        int checked = 0;
        for (Case corpusCase : cases) {
            for (Exchange exchange : corpusCase.requests()) {
                String what = corpusCase.file() + ": " + exchange;
                RECEIVED.clear();
                Reply reply;
                try {
                    reply = send(exchange);
                } catch (IllegalStateException noAnswer) {
                    // Say which request got no answer (a bare timeout names none), and go on with the others.
                    softly.fail(what + ": no answer within " + TIMEOUT + " (" + noAnswer.getMessage() + ")");
                    checked++;
                    continue;
                }
                checked++;
                softly.assertThat(reply.status()).as(what + " status").isEqualTo(exchange.status());
                if (exchange.location() != null) {
                    softly.assertThat(reply.location()).as(what + " Location").isEqualTo(exchange.location());
                }
                exchange.responseHeaderContains().forEach((name, texts) -> {
                    // A header named here must be there, even when its expected texts say nothing of its value.
                    softly.assertThat(reply.headers()).as(what + " response headers").containsKey(name);
                    String value = String.join("; ", reply.headers().getOrDefault(name, List.of()));
                    texts.forEach(text -> softly.assertThat(value).as(what + " response " + name).contains(text));
                });
                exchange.responseHeaderAbsent().forEach(name -> softly.assertThat(reply.headers().get(name))
                        .as(what + " response " + name + " absent").isNull());
                List<Received> received = List.copyOf(RECEIVED);
                softly.assertThat(received).as(what + ": upstream requests").hasSize(exchange.upstreams().size());
                if (received.size() != exchange.upstreams().size()) {
                    continue;
                }
                for (int i = 0; i < received.size(); i++) {
                    Received upstream = received.get(i);
                    Corpus.Upstream expected = exchange.upstreams().get(i);
                    String which = what + " upstream " + (i + 1);
                    softly.assertThat(upstream.service()).as(which + " service").isEqualTo(expected.service());
                    softly.assertThat(upstream.method()).as(which + " method").isEqualTo(exchange.method());
                    if (expected.uri() != null) {
                        softly.assertThat(upstream.uri()).as(which + " URI").isEqualTo(expected.uri());
                    }
                    softly.assertThat(upstream.headers().get("host")).as(which + " Host")
                            .isEqualTo(expected.host() != null ? expected.host()
                                    : URI.create(exchange.url()).getHost());
                    expected.headers().forEach((name, value) -> softly.assertThat(upstream.headers().get(name))
                            .as(which + " " + name).isEqualTo(value));
                    expected.absentHeaders().forEach(name -> softly.assertThat(upstream.headers())
                            .as(which + " without " + name).doesNotContainKey(name));
                    softly.assertThat(upstream.bodyBytes()).as(which + " body bytes")
                            .isEqualTo(expected.bodyBytes() != null ? expected.bodyBytes().longValue()
                                    : i == 0 ? exchange.bodyBytes() : 0);
                }
            }
        }
        softly.assertAll();
        assertThat(checked).isGreaterThanOrEqualTo(80);
    }
}
