package io.ingressgateway.ops;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.controller.ControllerPipeline;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

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
    }

    static long servedIngresses(RouteModel model, boolean served) {
        return model.ingresses().stream().filter(report -> report.served() == served).count();
    }

    static int routes(RouteModel model) {
        return model.virtualHosts().stream().mapToInt(virtualHost -> virtualHost.routes().size()).sum();
    }

    static int diagnostics(RouteModel model) {
        return model.ingresses().stream().mapToInt(report -> report.diagnostics().size()).sum();
    }
}
