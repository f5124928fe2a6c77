package io.ingressgateway.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ingressgateway.support.ServerLogGateway;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The access log's JSON lines: the same requests as {@link AccessLogIT}, each line one JSON object with the
 * {@code upstreaminfo} fields under nginx's variable names, plus namespace, Ingress and Service.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.request-body.max-size=64B",
        "ingress-gateway.access-log.format=json"})
class AccessLogJsonIT extends ServerLogGateway {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void captureLines() {
        lines.start();
        AccessLogIT.accessLogger().addAppender(lines);
    }

    @AfterEach
    void stopCapturing() {
        AccessLogIT.accessLogger().detachAppender(lines);
    }

    @Test
    void aProxiedRequestsLineNamesItsUpstreamAndWhatItAnswered() {
        String id = AccessLogIT.requestId();
        assertThat(send(request("GET", HOST, "/hello?x=1",
                "X-Request-ID: " + id + "\r\nUser-Agent: access-log-test/1\r\n")).status()).isEqualTo(200);

        JsonNode line = lineOf(id);

        assertThat(line.get("remote_addr").asString()).isEqualTo("127.0.0.1");
        assertThat(line.get("remote_user").isNull()).isTrue();
        assertThat(line.get("request").asString()).isEqualTo("GET /hello?x=1 HTTP/1.1");
        assertThat(line.get("method").asString()).isEqualTo("GET");
        assertThat(line.get("path").asString()).isEqualTo("/hello?x=1");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("body_bytes_sent").asLong()).isEqualTo(5);
        assertThat(line.get("http_referer").isNull()).isTrue();
        assertThat(line.get("http_user_agent").asString()).isEqualTo("access-log-test/1");
        assertThat(line.get("request_length").asLong()).isPositive();
        assertThat(line.get("request_time").isNumber()).isTrue();
        assertThat(line.get("proxy_upstream_name").asString()).isEqualTo("apps-web-80");
        assertThat(line.get("upstream_addr").asString()).isEqualTo("127.0.0.1:" + BACKEND.port());
        assertThat(line.get("upstream_response_length").asString()).isEqualTo("5");
        assertThat(line.get("upstream_response_time").asString()).matches("\\d+\\.\\d{3}");
        assertThat(line.get("upstream_status").asString()).isEqualTo("200");
        assertThat(line.get("namespace").asString()).isEqualTo("apps");
        assertThat(line.get("ingress").asString()).isEqualTo("app");
        assertThat(line.get("service").asString()).isEqualTo("web");
    }

    @Test
    void theDefaultBackends404HasNoUpstream() {
        String id = AccessLogIT.requestId();
        assertThat(send(request("GET", UNKNOWN_HOST, "/missing", "X-Request-ID: " + id + "\r\n")).status())
                .isEqualTo(404);

        JsonNode line = lineOf(id);

        assertThat(line.get("status").asInt()).isEqualTo(404);
        assertThat(line.get("proxy_upstream_name").isNull()).isTrue();
        assertThat(line.get("upstream_addr").isNull()).isTrue();
        assertThat(line.get("upstream_status").isNull()).isTrue();
        assertThat(line.get("ingress").isNull()).isTrue();
    }

    @Test
    void aGuardRejectionNamesTheRoutesUpstreamButNoAttempt() {
        whileGuardedHostIsBusy(() -> {
            String id = AccessLogIT.requestId();
            assertThat(send(request("GET", GUARDED_HOST, "/", "X-Request-ID: " + id + "\r\n")).status())
                    .isEqualTo(503);

            JsonNode line = lineOf(id);

            assertThat(line.get("status").asInt()).isEqualTo(503);
            assertThat(line.get("proxy_upstream_name").asString()).isEqualTo("apps-web-80");
            assertThat(line.get("ingress").asString()).isEqualTo("guarded");
            assertThat(line.get("upstream_addr").isNull()).isTrue();
            assertThat(line.get("upstream_status").isNull()).isTrue();
        });
    }

    private JsonNode lineOf(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !matching(id).isEmpty());
        List<String> found = matching(id);
        assertThat(found).hasSize(1);
        JsonNode line = JSON.readTree(found.get(0));
        assertThat(line.get("req_id").asString()).isEqualTo(id);
        return line;
    }

    private List<String> matching(String id) {
        synchronized (lines) {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains(id)).toList();
        }
    }
}
