package io.ingressgateway.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Netty's leak reports, caught as they are logged. Netty tracks buffers (at level PARANOID: every one) and, when a
 * tracked buffer is garbage-collected without having been released, logs an error starting with "LEAK:" from
 * {@link ResourceLeakDetector}'s logger. It logs nothing else there at ERROR. Reports are made lazily: by the next
 * buffer allocation after the collector has found the leaked one, which {@link #collectAndReport()} provokes.
 */
public final class NettyLeakLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final String LOGGER = ResourceLeakDetector.class.getName();

    private final List<String> reports = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final Level previousLoggerLevel;
    private final ResourceLeakDetector.Level previousDetectorLevel;

    private NettyLeakLog() {
        this.logger = (Logger) LoggerFactory.getLogger(LOGGER);
        this.previousLoggerLevel = logger.getLevel();
        this.previousDetectorLevel = ResourceLeakDetector.getLevel();
    }

    /**
     * Sets leak detection to PARANOID (every buffer tracked, not a sample). Netty reads the level on each allocation,
     * so this takes effect at once even when Netty is already in use in this JVM. Spring Boot sets the level again
     * when an application starts ({@code spring.netty.leak-detection}): a test must set that property too.
     */
    public static NettyLeakLog paranoid() {
        NettyLeakLog log = new NettyLeakLog();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        log.setName("netty-leak-log");
        return log;
    }

    /**
     * Starts recording reports, if not already. Call it once the application has started: Spring Boot's logging
     * system resets Logback when it initializes, which detaches every appender added before.
     */
    public synchronized void attach() {
        if (!isStarted()) {
            setContext(logger.getLoggerContext());
            start();
        }
        if (!logger.isErrorEnabled()) {
            logger.setLevel(Level.ERROR);
        }
        if (!logger.isAttached(this)) {
            logger.addAppender(this);
        }
    }

    /** Whether leaks are being tracked for every buffer and their reports reach this log. */
    public boolean listening() {
        return isStarted() && logger.isAttached(this) && logger.isErrorEnabled()
                && ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.startsWith("LEAK:")) {
            reports.add(message);
        }
    }

    /** Every leak report logged since this log was started. */
    public List<String> reports() {
        return List.copyOf(reports);
    }

    public void clear() {
        reports.clear();
    }

    /**
     * Reports what earlier tests of this JVM leaked, then forgets it, so that what this log holds next is what the
     * coming test leaks. Other test classes run before in the same JVM (their test clients, contexts still cached) and
     * their unreleased buffers would otherwise be charged to whichever leak-checking test first provokes the reports.
     */
    public void startClean() {
        collectAndReport();
        clear();
    }

    /**
     * Makes Netty report every leaked buffer that is unreachable by now: collects garbage, then allocates (and
     * releases) buffers from each kind of allocator, since each allocation drains the detector's queue of collected
     * buffers and reports those never released.
     */
    public static void collectAndReport() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {ByteBufAllocator.DEFAULT,
                    PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                allocator.directBuffer(16).release();
                allocator.heapBuffer(16).release();
            }
        }
    }

    /** A buffer that is never released, marked with a hint that its leak report will carry. For the self-check. */
    public static void leakOneBuffer(String hint) {
        ByteBuf leaked = ByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
        leaked.touch(hint);
    }

    /** Stops recording and puts the detector and logger levels back as they were. */
    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(previousLoggerLevel);
        stop();
        ResourceLeakDetector.setLevel(previousDetectorLevel);
    }
}
