package io.ingressgateway.gateway.accesslog;

import io.ingressgateway.config.IngressGatewayProperties.AccessLog.AccessLogFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log lines off the event loops: records wait in a bounded queue, and one daemon thread formats and
 * writes them. A record that finds the queue full is dropped and counted; the event loop that offered it never waits.
 */
public final class AccessLogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

    private final AccessLogFormat format;
    private final BlockingQueue<AccessLogRecord> queue;
    private final Consumer<String> sink;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean unwritableLogged;

    /**
     * @param format text or json
     * @param sink   where a formatted line goes: the access log's logger, or a test's list
     */
    public AccessLogWriter(AccessLogFormat format, int queueSize, Consumer<String> sink) {
        if (format == AccessLogFormat.OFF) {
            throw new IllegalArgumentException("an access log writer needs a format");
        }
        this.format = format;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.sink = sink;
        this.thread = new Thread(this::drain, "access-log-writer");
        thread.setDaemon(true);
    }

    /** Starts the writing thread; until then records only queue up (and are dropped past the queue's size). */
    public void start() {
        thread.start();
    }

    /** Queues a record for writing, or drops and counts it when the queue is full. Never blocks. */
    void offer(AccessLogRecord record) {
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
        }
    }

    /** A record that could not be completed: counted as dropped, its cause logged once. */
    void unwritable(RuntimeException cause) {
        dropped.incrementAndGet();
        if (!unwritableLogged) {
            unwritableLogged = true;
            log.warn("Could not make an access log line (dropped and counted; later ones are not logged)", cause);
        }
    }

    /** Lines dropped since start because the queue was full (or the line could not be made). */
    public long dropped() {
        return dropped.get();
    }

    AccessLogFormat format() {
        return format;
    }

    private void drain() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                write(queue.take());
            }
        } catch (InterruptedException e) {
            // Closing: what is queued already is still written, below.
        }
        AccessLogRecord left;
        while ((left = queue.poll()) != null) {
            write(left);
        }
    }

    private void write(AccessLogRecord record) {
        try {
            sink.accept(format == AccessLogFormat.JSON ? AccessLogLines.json(record) : AccessLogLines.text(record));
        } catch (RuntimeException e) {
            // One unwritable line must not end the writer: every later line would be dropped.
            log.warn("Could not write an access log line", e);
        }
    }

    /** Stops the thread once the lines queued so far are written (or after a few seconds). */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
