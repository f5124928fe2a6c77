package io.ingressgateway.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ingressgateway.support.ServerLogGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.slf4j.LoggerFactory;

/**
 * The access log's text lines (ingress-nginx's {@code upstreaminfo} format), read through an appender attached to its
 * logger: a proxied request with its upstream's address, status, times and length; the default backend's 404, which
 * no upstream served; a guard's 503, refused before any upstream was contacted.
 */
class AccessLogIT extends ServerLogGateway {

    /** {@code $time_local}, e.g. {@code [03/Dec/2026:17:05:09 +0000]}. */
    private static final String TIME = "\\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]";
    private static final String SECONDS = "\\d+\\.\\d{3}";

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @Autowired
    MeterRegistry registry;

    @BeforeEach
    void captureLines() {
        lines.start();
        accessLogger().addAppender(lines);
    }

    @AfterEach
    void stopCapturing() {
        accessLogger().detachAppender(lines);
    }

    @Test
    void aProxiedRequestsLineNamesItsUpstreamAndWhatItAnswered() {
        String id = requestId();
        Answer answer = send(request("GET", HOST, "/hello?x=1",
                "X-Request-ID: " + id + "\r\nReferer: http://from.test/\r\nUser-Agent: access-log-test/1\r\n"));
        assertThat(answer.status()).isEqualTo(200);

        String line = lineOf(id);

        assertThat(line).matches("127\\.0\\.0\\.1 - - " + TIME + " \"GET /hello\\?x=1 HTTP/1\\.1\" 200 5"
                + " \"http://from\\.test/\" \"access-log-test/1\" \\d+ " + SECONDS + " \\[apps-web-80\\] \\[\\]"
                + " 127\\.0\\.0\\.1:" + BACKEND.port() + " 5 " + SECONDS + " 200 " + id);
        long requestLength = Long.parseLong(line.split(" ")[12]);
        assertThat(requestLength).isGreaterThan(("GET /hello?x=1 HTTP/1.1\r\n").length());
        // Exported as ingress_gateway_access_log_dropped_total; nothing dropped at this pace.
        assertThat(registry.get("ingress.gateway.access.log.dropped").functionCounter().count()).isZero();
    }

    @Test
    void theUserBasicAuthAcceptedIsTheRemoteUser() {
        String id = requestId();
        String credentials = java.util.Base64.getEncoder().encodeToString("carol:secret".getBytes());
        assertThat(send(request("GET", PRIVATE_HOST, "/", "X-Request-ID: " + id + "\r\nAuthorization: Basic "
                + credentials + "\r\n")).status()).isEqualTo(200);

        assertThat(lineOf(id)).startsWith("127.0.0.1 - carol [").contains(" 200 5 ");
    }

    @Test
    void theDefaultBackends404HasNoUpstream() {
        String id = requestId();
        assertThat(send(request("GET", UNKNOWN_HOST, "/missing", "X-Request-ID: " + id + "\r\n")).status())
                .isEqualTo(404);

        assertThat(lineOf(id)).matches("127\\.0\\.0\\.1 - - " + TIME + " \"GET /missing HTTP/1\\.1\" 404 \\d+"
                + " \"-\" \"-\" \\d+ " + SECONDS + " \\[-\\] \\[\\] - - - - " + id);
    }

    @Test
    void aGuardRejectionNamesTheRoutesUpstreamButNoAttempt() {
        whileGuardedHostIsBusy(() -> {
            String id = requestId();
            assertThat(send(request("GET", GUARDED_HOST, "/", "X-Request-ID: " + id + "\r\n")).status())
                    .isEqualTo(503);

            assertThat(lineOf(id)).matches("127\\.0\\.0\\.1 - - " + TIME + " \"GET / HTTP/1\\.1\" 503 \\d+"
                    + " \"-\" \"-\" \\d+ " + SECONDS + " \\[apps-web-80\\] \\[\\] - - - - " + id);
        });
    }

    static String requestId() {
        return UUID.randomUUID().toString();
    }

    static Logger accessLogger() {
        return (Logger) LoggerFactory.getLogger(AccessLogConfiguration.LOGGER);
    }

    /** The one line of request {@code id}, once the writer thread has written it. */
    String lineOf(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !matching(id).isEmpty());
        List<String> found = matching(id);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private List<String> matching(String id) {
        synchronized (lines) {
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains(id)).toList();
        }
    }
}
