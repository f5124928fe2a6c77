package io.ingressgateway.tls;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the HTTPS listener refused on its own, before any routing:
 * {@code ingress_gateway_http2_flood_closes_total{reason}}, HTTP/2 connections closed with GOAWAY ENHANCE_YOUR_CALM,
 * and {@code ingress_gateway_misdirected_requests_total}, requests answered 421.
 */
public final class HttpsListenerMetrics implements MeterBinder {

    /** Why an HTTP/2 connection was closed as a flood. A fixed set: tag values never come from the client. */
    enum FloodReason {
        /** Too many RST_STREAM frames received or provoked (rapid reset). */
        RESETS,
        /** Too many PING and SETTINGS frames, or too many answers to them queued for a client that does not read. */
        CONTROL_FRAMES,
        /** Another of Netty's flood limits (empty DATA frames, CONTINUATION frames). */
        OTHER;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<FloodReason, LongAdder> floodCloses = new EnumMap<>(FloodReason.class);
    private final LongAdder misdirected = new LongAdder();

    public HttpsListenerMetrics() {
        for (FloodReason reason : FloodReason.values()) {
            floodCloses.put(reason, new LongAdder());
        }
    }

    void floodClosed(FloodReason reason) {
        floodCloses.get(reason).increment();
    }

    void misdirected() {
        misdirected.increment();
    }

    long floodCloses(FloodReason reason) {
        return floodCloses.get(reason).sum();
    }

    long misdirectedRequests() {
        return misdirected.sum();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        floodCloses.forEach((reason, count) -> FunctionCounter.builder("ingress.gateway.http2.flood.closes", count,
                        LongAdder::sum)
                .description("HTTP/2 connections of the HTTPS listener closed with GOAWAY ENHANCE_YOUR_CALM")
                .tag("reason", reason.tag())
                .register(registry));
        FunctionCounter.builder("ingress.gateway.misdirected.requests", misdirected, LongAdder::sum)
                .description("HTTPS requests answered 421: their host is another TLS host, not covered by the"
                        + " connection's certificate")
                .register(registry);
    }
}
