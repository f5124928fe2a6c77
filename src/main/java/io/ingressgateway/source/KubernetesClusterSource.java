package io.ingressgateway.source;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.function.Consumer;

/** Informers on the API server. (Placeholder: being written.) */
public final class KubernetesClusterSource implements ClusterStateSource {

    public KubernetesClusterSource(KubernetesClient client, List<String> namespaces) {
    }

    @Override
    public void start(Consumer<ClusterSnapshot> listener) {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public boolean synced() {
        return false;
    }

    @Override
    public String description() {
        return "kubernetes";
    }

    @Override
    public void close() {
    }
}
