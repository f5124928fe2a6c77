package io.ingressgateway.gateway.ratelimit;

import static io.ingressgateway.support.Objects.OUR_CONTROLLER;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.serviceBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.gateway.ratelimit.LocalRateLimitIT.Reply;
import io.ingressgateway.gateway.ratelimit.LocalRateLimitIT.Upstream;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.DelayingBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The statuses of refused requests are settings of the gateway, as ingress-nginx's {@code limit-req-status-code} and
 * {@code limit-conn-status-code} are of its ConfigMap: here 429 for a request rate and 500 for requests in progress,
 * both away from the 503 default and from each other, so each answer shows which setting it came from.
 */
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.rate-limits.limit-req-status-code=429",
        "ingress-gateway.rate-limits.limit-conn-status-code=500"})
@DirtiesContext
class LocalRateLimitStatusIT {

    static final String NS = "limit-statuses";
    static final ApiServer api = new ApiServer();
    static final List<DelayingBackend> backends = new ArrayList<>();

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
        backends.forEach(DelayingBackend::close);
        api.close();
    }

    @LocalServerPort
    int port;

    @Test
    void refusedRequestsGetTheConfiguredStatuses() {
        Upstream backend = LocalRateLimitIT.serve(api, backends, port, NS, ingress(NS, "both")
                .className("ingress-gateway")
                .rules(rule("both.test", path("Prefix", "/", serviceBackend("both", 80))))
                .annotation("nginx.ingress.kubernetes.io/limit-rpm", "1")
                .annotation("nginx.ingress.kubernetes.io/limit-burst-multiplier", "1")
                .annotation("nginx.ingress.kubernetes.io/limit-connections", "1"), "both");

        // One request in progress holds the client's only place.
        backend.hold();
        CompletableFuture<Reply> held;
        try {
            held = LocalRateLimitIT.request(port, "both.test", "127.0.0.1").toFuture();
            await().atMost(Duration.ofSeconds(30)).until(() -> backend.inProgress() == 1);
            assertThat(get("both.test").status()).isEqualTo(500);
        } finally {
            backend.release();
        }
        assertThat(held.join().status()).isEqualTo(200);

        // Its second request (the burst of 1) passes once the first has ended; the third is over the rate.
        await().atMost(Duration.ofSeconds(30)).until(() -> get("both.test").status() == 200);
        Reply refused = get("both.test");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, 60L);
        assertThat(backend.requests()).isEqualTo(2);
    }

    private Reply get(String host) {
        return LocalRateLimitIT.request(port, host, "127.0.0.1").block(Duration.ofSeconds(60));
    }
}
