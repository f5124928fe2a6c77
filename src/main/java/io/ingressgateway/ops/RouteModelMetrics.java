package io.ingressgateway.ops;

import io.ingressgateway.controller.ControllerPipeline;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.Diagnostic.Severity;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/** Gauges over the current route model, read at scrape time. */
public class RouteModelMetrics implements MeterBinder {

    private final ControllerPipeline pipeline;

    public RouteModelMetrics(ControllerPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (boolean served : new boolean[] {true, false}) {
            Gauge.builder("ingress.gateway.ingresses", pipeline, p -> servedIngresses(p.current().model(), served))
                    .description("Ingresses seen, by whether this gateway serves them")
                    .tag("served", Boolean.toString(served))
                    .register(registry);
        }
        Gauge.builder("ingress.gateway.routes", pipeline, p -> routes(p.current().model()))
                .description("Routes (host and path) served")
                .register(registry);
        Gauge.builder("ingress.gateway.upstreams", pipeline, p -> p.current().model().upstreams().size())
                .description("Backend Service ports routes lead to")
                .register(registry);
        Gauge.builder("ingress.gateway.diagnostics", pipeline, p -> diagnostics(p.current().model()))
                .description("Problems found in Ingresses, summed over all Ingresses")
                .register(registry);
        for (Severity severity : Severity.values()) {
            Gauge.builder("ingress.gateway.ingresses.with.diagnostics", pipeline,
                            p -> servedIngressesWorstAt(p.current().model(), severity))
                    .description("Served Ingresses by their most severe diagnostic: error, none of it is served; "
                            + "warning, part of it is not")
                    .tag("severity", severity.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("ingress.gateway.model.revision", pipeline, p -> p.current().model().revision())
                .description("Revision of the snapshot the current route model was translated from; grows with "
                        + "every snapshot, 0 before the first")
                .register(registry);
    }

    static long servedIngresses(RouteModel model, boolean served) {
        return model.ingresses().stream().filter(report -> report.served() == served).count();
    }

    static int routes(RouteModel model) {
        return model.virtualHosts().stream().mapToInt(virtualHost -> virtualHost.routes().size()).sum();
    }

    /** Served Ingresses whose most severe diagnostic is {@code severity}: each Ingress counts once, at its worst. */
    static long servedIngressesWorstAt(RouteModel model, Severity severity) {
        return model.ingresses().stream()
                .filter(IngressReport::served)
                .filter(report -> worst(report) == severity)
                .count();
    }

    /** The most severe diagnostic of an Ingress, or null when it has none. */
    private static Severity worst(IngressReport report) {
        Severity worst = null;
        for (Diagnostic diagnostic : report.diagnostics()) {
            if (worst == null || diagnostic.severity().compareTo(worst) > 0) {
                worst = diagnostic.severity();
            }
        }
        return worst;
    }

    static int diagnostics(RouteModel model) {
        return model.ingresses().stream().mapToInt(report -> report.diagnostics().size()).sum();
    }
}
