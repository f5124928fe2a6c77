package io.ingressgateway.tls;

import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ingress_gateway_certificate_expiry_seconds}: the expiry (notAfter, epoch seconds) of each served
 * certificate, by TLS host and Secret, so an alert can fire well before a certificate lapses. The default certificate
 * is listed under host {@code _}. Rows follow the model: a host that loses TLS loses its row.
 */
public class CertificateMetrics implements MeterBinder, RouteModelListener {

    static final String NAME = "ingress.gateway.certificate.expiry";
    static final String DEFAULT_HOST = "_";

    private final SniCertificates certificates;
    private volatile MultiGauge gauge;
    /** What the rows were last made from: the selection's lists are replaced, never changed, when it changes. */
    private List<SniCertificates.Served> lastServed;
    private Object lastDefault;

    public CertificateMetrics(SniCertificates certificates) {
        this.certificates = certificates;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge = MultiGauge.builder(NAME)
                .description("Expiry time (notAfter) of each served certificate, in seconds since the epoch")
                .baseUnit("seconds")
                .register(registry);
        refresh();
    }

    @Override
    public ListenerStage stage() {
        return ListenerStage.CERTIFICATE_METRICS;
    }

    @Override
    public void onModel(PipelineState state) {
        refresh();
    }

    private synchronized void refresh() {
        MultiGauge current = gauge;
        if (current == null) {
            return;
        }
        var defaultCertificate = certificates.defaultCertificate();
        List<SniCertificates.Served> served = certificates.served();
        if (served == lastServed && defaultCertificate == lastDefault) {
            return; // SniCertificates kept its selection: the same rows
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        rows.add(MultiGauge.Row.of(Tags.of("host", DEFAULT_HOST, "secret", defaultCertificate.source()),
                defaultCertificate.notAfter().getEpochSecond()));
        for (SniCertificates.Served host : served) {
            rows.add(MultiGauge.Row.of(Tags.of("host", host.host(), "secret", host.certificate().source()),
                    host.certificate().notAfter().getEpochSecond()));
        }
        current.register(rows, true);
        lastServed = served;
        lastDefault = defaultCertificate;
    }
}
