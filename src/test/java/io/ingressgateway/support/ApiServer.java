package io.ingressgateway.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes API server for tests: fabric8's mock server in CRUD mode, on loopback. It serves list, watch and
 * status over HTTP like a cluster's API server, but runs no controllers: tests write EndpointSlices themselves.
 */
public final class ApiServer implements AutoCloseable {

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public ApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        client = server.createClient();
    }

    /** The URL the gateway under test connects to ({@code ingress-gateway.kubernetes.master-url}). */
    public String url() {
        return server.url("/");
    }

    public KubernetesClient client() {
        return client;
    }

    /** Creates or replaces an object, as {@code kubectl apply} would for our purposes. */
    public <T extends HasMetadata> T apply(T object) {
        return client.resource(object).createOr(existing -> existing.update());
    }

    /**
     * Creates an object and returns once the API server's clock has passed the second it was stamped with, so the
     * next object created is strictly younger. The API server sets {@code creationTimestamp} itself, to the second.
     */
    public <T extends HasMetadata> T applyThenTick(T object) {
        T created = apply(object);
        java.time.Instant stamp = java.time.Instant.parse(created.getMetadata().getCreationTimestamp());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(3))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).isAfter(stamp));
        return created;
    }

    /**
     * The requests the server received since the last call, oldest first, as {@code METHOD path?query}: what a
     * component asked of the API server, to hold against what RBAC grants it.
     */
    public List<String> takeRequests() {
        List<String> taken = new ArrayList<>();
        try {
            for (var request = server.takeRequest(0, TimeUnit.MILLISECONDS); request != null;
                 request = server.takeRequest(0, TimeUnit.MILLISECONDS)) {
                taken.add(request.getMethod() + " " + request.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return taken;
    }

    public void delete(HasMetadata object) {
        client.resource(object).delete();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
