package io.ingressgateway.translate;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;

/** Snapshot in, route model out. Pure: no Spring, no I/O. (Placeholder: the real one is being written.) */
public final class IngressTranslator {

    private final TranslatorSettings settings;

    public IngressTranslator(TranslatorSettings settings) {
        this.settings = settings;
    }

    public RouteModel translate(ClusterSnapshot snapshot) {
        throw new UnsupportedOperationException("not yet");
    }
}
