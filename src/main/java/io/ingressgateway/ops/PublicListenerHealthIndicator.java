package io.ingressgateway.ops;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;

/**
 * Readiness: whether the public listener takes connections. Out of service until the main server has started, and
 * again as soon as the application begins to shut down, before the server drains, so that endpoints drop the pod
 * while it still answers. Events of the management server (a child context, whose events reach this one too) are
 * ignored.
 */
public class PublicListenerHealthIndicator implements HealthIndicator {

    private final ApplicationContext context;
    private volatile int port = -1;
    private volatile boolean closing;

    public PublicListenerHealthIndicator(ApplicationContext context) {
        this.context = context;
    }

    @EventListener
    void onServerStarted(WebServerInitializedEvent event) {
        if (event.getApplicationContext() == context) {
            port = event.getWebServer().getPort();
        }
    }

    @EventListener
    void onClosing(ContextClosedEvent event) {
        if (event.getApplicationContext() == context) {
            closing = true;
        }
    }

    @Override
    public Health health() {
        if (closing) {
            return Health.outOfService().withDetail("listener", "shutting down").build();
        }
        if (port < 0) {
            return Health.outOfService().withDetail("listener", "not started").build();
        }
        return Health.up().withDetail("port", port).build();
    }
}
