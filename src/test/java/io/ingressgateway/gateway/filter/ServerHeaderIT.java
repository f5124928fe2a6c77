package io.ingressgateway.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.support.QuietBackend;
import io.ingressgateway.support.ServerLogGateway;
import io.ingressgateway.tls.HttpsListener;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * Every answer on the public listeners carries {@code Server: ingress-gateway} when its upstream sent none, as the
 * public Ingress conformance suite's default-backend feature expects (its echo backend sends none): proxied answers,
 * the default backend's 404, a guard's 503, a 413, a refusal of the listener's own checks, Reactor Netty's own 414,
 * over HTTP and HTTPS (HTTP/2). An upstream's own {@code Server} is kept, and sent once.
 */
class ServerHeaderIT extends ServerLogGateway {

    private static final String GATEWAY = "ingress-gateway";

    @Autowired
    HttpsListener https;

    @Test
    void aProxiedAnswerGetsTheGatewaysWhenTheUpstreamSentNoneAndKeepsTheUpstreamsOwn() {
        Answer quiet = send(request("GET", HOST, "/", ""));
        Answer own = send(request("GET", HOST, "/own-server", ""));

        assertThat(quiet.status()).isEqualTo(200);
        assertThat(quiet.body()).isEqualTo("hello");
        assertThat(quiet.values("Server")).containsExactly(GATEWAY);
        // The upstream's, once: the gateway's is added only when the response has none as it is committed.
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.values("Server")).containsExactly(QuietBackend.OWN_SERVER);
    }

    @Test
    void theDefaultBackends404CarriesIt() {
        Answer answer = send(request("GET", UNKNOWN_HOST, "/", ""));

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.values("Server")).containsExactly(GATEWAY);
    }

    @Test
    void aGuardRejectionCarriesIt() {
        whileGuardedHostIsBusy(() -> {
            Answer refused = send(request("GET", GUARDED_HOST, "/", ""));

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.values("Retry-After")).isNotEmpty();
            assertThat(refused.values("Server")).containsExactly(GATEWAY);
        });
    }

    @Test
    void aBodyOverTheLimitIsAnswered413WithIt() {
        String body = "x".repeat(100);
        Answer answer = send(request("POST", HOST, "/", "Content-Length: 100\r\n").replace("\r\n\r\n",
                "\r\n\r\n" + body));

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.values("Server")).containsExactly(GATEWAY);
    }

    @Test
    void aRefusalOfTheListenersOwnChecksCarriesIt() {
        // TRACE is refused (405) before any routing, by the listener's request sanity checks.
        Answer answer = send(request("TRACE", HOST, "/", ""));

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.values("Server")).containsExactly(GATEWAY);
    }

    @Test
    void reactorNettysOwnAnswerToAnOverlongRequestLineCarriesIt() {
        // Past listener.max-request-line-length (8KB) Reactor Netty answers 414 before any handler of the gateway.
        Answer answer = send(request("GET", HOST, "/" + "a".repeat(9000), ""));

        assertThat(answer.status()).isEqualTo(414);
        assertThat(answer.values("Server")).containsExactly(GATEWAY);
    }

    @Test
    void theManagementServerIsNotAPublicListenerAndSendsNone() {
        Answer probe = send(managementPort, request("GET", "localhost", "/actuator/health/readiness", ""));

        assertThat(probe.status()).isEqualTo(200);
        assertThat(probe.values("Server")).isEmpty();
    }

    @Test
    void theHttpsListenerSendsItToo() {
        HttpClient client = HttpClient.create()
                .protocol(HttpProtocol.H2, HttpProtocol.HTTP11)
                .secure(ssl -> ssl.sslContext(Http2SslContextSpec.forClient()
                        .configure(builder -> builder.trustManager(InsecureTrustManagerFactory.INSTANCE))))
                .headers(headers -> headers.set("Host", HOST))
                .responseTimeout(Duration.ofSeconds(30));

        String server = client.get().uri("https://127.0.0.1:" + https.port() + "/")
                .response((response, body) -> body.then(reactor.core.publisher.Mono.just(
                        response.status().code() + " " + response.version() + " "
                                + response.responseHeaders().getAll("Server"))))
                .blockLast(Duration.ofSeconds(30));

        assertThat(server).isEqualTo("200 HTTP/2.0 [" + GATEWAY + "]");
    }
}
