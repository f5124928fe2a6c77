package io.ingressgateway.gateway.accesslog;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.config.IngressGatewayProperties.AccessLog.AccessLogFormat;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The access log ({@code ingress-gateway.access-log.*}), and the count of lines it had to drop. */
@Configuration(proxyBeanMethods = false)
public class AccessLogConfiguration {

    /** The logger lines go to: operators route it (file, another format, off) in their logging configuration. */
    public static final String LOGGER = "ingress-gateway.access-log";

    @Bean(destroyMethod = "close")
    AccessLog accessLog(IngressGatewayProperties properties, ObjectProvider<MeterRegistry> registry) {
        IngressGatewayProperties.AccessLog settings = properties.accessLog();
        if (settings.format() == AccessLogFormat.OFF) {
            return new AccessLog(null);
        }
        AccessLogWriter writer = new AccessLogWriter(settings.format(), settings.queueSize(), loggerSink());
        registry.ifAvailable(meters -> FunctionCounter.builder("ingress.gateway.access.log.dropped", writer,
                        AccessLogWriter::dropped)
                .description("Access log lines dropped because the queue to the writer thread was full")
                .register(meters));
        writer.start();
        return new AccessLog(writer);
    }

    /**
     * The access log's logger; when the logging configuration gives it no appender of its own, one writing the bare
     * line to stdout (no timestamp, level or logger name around it: the line has its own), not passed on to the
     * root logger's.
     */
    static Consumer<String> loggerSink() {
        Logger logger = LoggerFactory.getLogger(LOGGER);
        if (logger instanceof ch.qos.logback.classic.Logger logback && !logback.iteratorForAppenders().hasNext()) {
            LoggerContext context = logback.getLoggerContext();
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern("%msg%n");
            encoder.start();
            ConsoleAppender<ILoggingEvent> stdout = new ConsoleAppender<>();
            stdout.setContext(context);
            stdout.setName("ingress-gateway-access-log-stdout");
            stdout.setEncoder(encoder);
            stdout.start();
            logback.addAppender(stdout);
            logback.setAdditive(false);
        }
        return logger::info;
    }
}
