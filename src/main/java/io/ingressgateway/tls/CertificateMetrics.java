package io.ingressgateway.tls;

import io.ingressgateway.model.TlsCertificate;
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
 * is listed under host {@code _}. Rows follow the model: a host that loses TLS loses its row, a Secret that goes takes
 * its rows along (its hosts then show the certificate they fall back to).
 *
 * <p>Labels: {@code host}; {@code namespace} and {@code secret_name} of the Secret, as ingress-nginx's
 * {@code nginx_ingress_controller_ssl_expire_time_seconds} names them (both empty for the self-signed certificate);
 * {@code secret}, the same Secret as {@code namespace/name} or {@code self-signed}, kept for existing alerts.
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
        rows.add(row(DEFAULT_HOST, defaultCertificate));
        for (SniCertificates.Served host : served) {
            rows.add(row(host.host(), host.certificate()));
        }
        current.register(rows, true);
        lastServed = served;
        lastDefault = defaultCertificate;
    }

    private static MultiGauge.Row<?> row(String host, TlsCertificate certificate) {
        String source = certificate.source();
        int slash = source.indexOf('/');
        // A Secret's source is namespace/name; anything else (self-signed) is no Secret.
        String namespace = slash < 0 ? "" : source.substring(0, slash);
        String secretName = slash < 0 ? "" : source.substring(slash + 1);
        return MultiGauge.Row.of(Tags.of("host", host, "namespace", namespace, "secret_name", secretName,
                "secret", source), certificate.notAfter().getEpochSecond());
    }
}
