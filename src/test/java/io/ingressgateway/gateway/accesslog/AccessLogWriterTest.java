package io.ingressgateway.gateway.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.config.IngressGatewayProperties.AccessLog.AccessLogFormat;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The writer's queue is bounded: a line that finds it full is dropped and counted, and the caller never waits. */
class AccessLogWriterTest {

    @Test
    void aFullQueueDropsAndCountsWithoutBlocking() throws Exception {
        CountDownLatch stdoutStuck = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AccessLogWriter writer = new AccessLogWriter(AccessLogFormat.TEXT, 2, line -> {
            written.add(line);
            try {
                // A sink that stops taking lines, as a stdout nobody reads.
                stdoutStuck.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        writer.start();
        writer.offer(record("/first"));
        // The writer thread takes the first line and is stuck writing it; the queue (2) then fills up.
        await().atMost(Duration.ofSeconds(30)).until(() -> written.size() == 1);

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            writer.offer(record("/next-" + i));
        }
        long offeringNanos = System.nanoTime() - start;

        assertThat(writer.dropped()).isEqualTo(98);
        // Not a latency budget: a blocked offer would wait for the 60 s the sink is stuck.
        assertThat(offeringNanos).isLessThan(TimeUnit.SECONDS.toNanos(30));

        stdoutStuck.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.size() == 3);
        writer.close();
        assertThat(written.get(1)).contains("\"GET /next-0 HTTP/1.1\"");
        assertThat(written.get(2)).contains("\"GET /next-1 HTTP/1.1\"");
    }

    @Test
    void offTheLogWrapsNothing() {
        org.springframework.http.server.reactive.HttpHandler handler = (request, response) -> response.setComplete();
        AccessLog off = new AccessLog(null);

        assertThat(off.enabled()).isFalse();
        assertThat(off.decorate(handler)).isSameAs(handler);
    }

    private static AccessLogRecord record(String path) {
        AccessLogRecord record = new AccessLogRecord(System.currentTimeMillis(), System.nanoTime());
        record.method = "GET";
        record.uri = URI.create(path);
        record.protocol = "HTTP/1.1";
        record.status = 200;
        record.requestId = "id";
        return record;
    }
}
