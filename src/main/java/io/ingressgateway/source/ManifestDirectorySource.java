package io.ingressgateway.source;

import java.nio.file.Path;
import java.util.function.Consumer;

/** YAML manifests in a directory, reloaded on change. (Placeholder: being written.) */
public final class ManifestDirectorySource implements ClusterStateSource {

    public ManifestDirectorySource(Path directory) {
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
        return "manifests";
    }

    @Override
    public void close() {
    }
}
