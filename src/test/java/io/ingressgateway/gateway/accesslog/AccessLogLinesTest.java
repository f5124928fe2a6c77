package io.ingressgateway.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.UpstreamKey;
import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The lines' formats: a retried request's attempts, and what a client chose escaped so a request stays one line. */
class AccessLogLinesTest {

    @Test
    void aRetriedRequestListsEveryAttemptAsNginxDoes() throws Exception {
        AccessLogRecord record = record();
        int first = record.upstreamAttemptStarts("10.0.0.1:8080");
        record.upstreamFailed(first, 502);
        int second = record.upstreamAttemptStarts("10.0.0.2:8080");
        record.upstreamAnswered(second, 200, -1);
        record.bytesSent = 42;
        record.responseComplete(System.nanoTime());

        String text = AccessLogLines.text(record);
        String json = AccessLogLines.json(record);

        assertThat(text).matches(".* \\[apps-web-80\\] \\[\\] 10\\.0\\.0\\.1:8080, 10\\.0\\.0\\.2:8080 0, 42"
                + " \\d+\\.\\d{3}, \\d+\\.\\d{3} 502, 200 the-id");
        assertThat(json).contains("\"upstream_addr\":\"10.0.0.1:8080, 10.0.0.2:8080\"")
                .contains("\"upstream_status\":\"502, 200\"")
                .contains("\"upstream_response_length\":\"0, 42\"")
                .contains("\"namespace\":\"apps\",\"ingress\":\"app\",\"service\":\"web\"");
    }

    @Test
    void whatAClientChoseCannotBreakTheLine() throws Exception {
        AccessLogRecord record = record();
        record.userAgent = "evil\" \"injected\n127.0.0.1 - admin";
        record.referer = "caf\u00e9";

        String text = AccessLogLines.text(record);
        String json = AccessLogLines.json(record);

        assertThat(text).doesNotContain("\n")
                .contains("\"evil\\x22 \\x22injected\\x0A127.0.0.1 - admin\"")
                .contains("\"caf\\xE9\"");
        assertThat(json).doesNotContain("\n").contains("\"http_user_agent\":\"evil\\\" \\\"injected\\u000a127");
    }

    private static AccessLogRecord record() throws Exception {
        AccessLogRecord record = new AccessLogRecord(System.currentTimeMillis(), System.nanoTime());
        record.clientAddress = InetAddress.getByName("192.0.2.7");
        record.method = "GET";
        record.uri = URI.create("/a?b=c");
        record.protocol = "HTTP/1.1";
        record.status = 200;
        record.requestId = "the-id";
        record.ingress = new IngressRef("apps", "app");
        record.upstream = new UpstreamKey("apps", "web", "80");
        return record;
    }
}
