package io.ingressgateway.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestDirectorySourceTest {

    private static final Duration RELOAD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private ManifestDirectorySource source;

    @AfterEach
    void closeSource() {
        if (source != null) {
            source.close();
        }
    }

    @Test
    void readsEveryManifestInTheTreeAndOnlyTheKindsItServes() throws IOException {
        write("app.yaml", service("web", null) + "---\n" + ingress("web", "team-a", "web.example.com")
                + "---\n# a document with only a comment\n---\n"
                + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: headers\ndata:\n  X-Team: blue\n"
                + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ignored\n"
                + "---\napiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: legacy\n");
        write("nested/deeper/slices.yml", endpointSlice("web", null, "10.0.0.1")
                + "---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: ours\n"
                + "  namespace: stray\nspec:\n  controller: ingress-gateway.io/controller\n");
        write("secret.json", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"tls\","
                + "\"namespace\":\"team-a\"},\"type\":\"kubernetes.io/tls\"}");
        write("list.yaml", "apiVersion: v1\nkind: List\nitems:\n" + indent(service("api", "team-b")));
        write("notes.txt", service("from-txt", null));
        write(".hidden/secret.yaml", service("from-hidden-dir", null));
        write(".swap.yaml", service("from-hidden-file", null));

        start();
        ClusterSnapshot snapshot = recorder.awaitRevision(1);

        assertThat(source.synced()).isTrue();
        assertThat(ids(snapshot.services())).containsExactly("default/web", "team-b/api");
        assertThat(ids(snapshot.ingresses())).containsExactly("team-a/web");
        assertThat(ids(snapshot.endpointSlices())).containsExactly("default/web-1");
        assertThat(ids(snapshot.ingressClasses())).containsExactly("/ours");
        assertThat(ids(snapshot.secrets())).containsExactly("team-a/tls");
        assertThat(ids(snapshot.configMaps())).containsExactly("default/headers");
        assertThat(snapshot.configMaps().get(0).getData()).containsEntry("X-Team", "blue");
        assertThat(snapshot.ingresses().get(0).getSpec().getRules().get(0).getHost()).isEqualTo("web.example.com");
    }

    @Test
    void modifiedFileIsReloaded() throws IOException {
        write("app.yaml", ingress("web", "default", "old.example.com"));
        start();
        recorder.awaitRevision(1);

        write("app.yaml", ingress("web", "default", "new.example.com"));

        ClusterSnapshot reloaded = recorder.awaitMatching(s -> hosts(s).equals(List.of("new.example.com")));
        assertThat(reloaded.revision()).isGreaterThan(1);
        assertThat(recorder.threads).containsExactly("ingress-gateway-manifest-source");
    }

    @Test
    void deletedFileTakesItsObjectsAlong() throws IOException {
        write("a.yaml", service("a", null));
        write("sub/b.yaml", service("b", null));
        start();
        assertThat(ids(recorder.awaitRevision(1).services())).containsExactly("default/a", "default/b");

        Files.delete(dir.resolve("sub/b.yaml"));

        recorder.awaitMatching(s -> ids(s.services()).equals(List.of("default/a")));
    }

    @Test
    void newFileInNewSubdirectoryIsPickedUp() throws IOException {
        start();
        assertThat(recorder.awaitRevision(1).services()).isEmpty();

        write("later/added/svc.yaml", service("late", "default"));

        recorder.awaitMatching(s -> ids(s.services()).equals(List.of("default/late")));
    }

    @Test
    void brokenFileKeepsItsLastGoodObjectsWhileOtherFilesStillReload() throws IOException {
        write("a.yaml", ingress("a", "default", "a.example.com"));
        write("b.yaml", ingress("b", "default", "b.example.com"));
        start();
        recorder.awaitRevision(1);

        write("a.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  labels: [oops\n");
        write("b.yaml", ingress("b", "default", "b2.example.com"));

        ClusterSnapshot afterBreak = recorder.awaitMatching(s -> hosts(s).contains("b2.example.com"));
        assertThat(hosts(afterBreak)).containsExactly("a.example.com", "b2.example.com");

        write("a.yaml", ingress("a", "default", "a2.example.com"));

        recorder.awaitMatching(s -> hosts(s).equals(List.of("a2.example.com", "b2.example.com")));
        assertThat(recorder.snapshots).allSatisfy(s -> assertThat(ids(s.ingresses())).contains("default/a"));
    }

    @Test
    void invalidObjectsRejectTheirFileOnly() throws IOException {
        write("nameless.yaml", service("ok", null) + "---\napiVersion: v1\nkind: Service\nmetadata: {}\n");
        write("not-an-object.yaml", "just some text\n");
        write("no-kind.yaml", "metadata:\n  name: x\n");
        write("wrong-type.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports: 80\n");
        write("good.yaml", service("good", null));

        start();

        assertThat(ids(recorder.awaitRevision(1).services())).containsExactly("default/good");
    }

    @Test
    void missingDirectoryServesNothingUntilItAppears() throws IOException {
        Path missing = dir.resolve("not/there/yet");
        source = new ManifestDirectorySource(missing);
        source.start(recorder::accept);
        ClusterSnapshot first = recorder.awaitRevision(1);
        assertThat(first.services()).isEmpty();
        assertThat(source.synced()).isTrue();

        Files.createDirectories(missing.resolve("apps"));
        Files.writeString(missing.resolve("apps/svc.yaml"), service("arrived", null));

        recorder.awaitMatching(s -> ids(s.services()).equals(List.of("default/arrived")));

        deleteTree(dir.resolve("not"));

        recorder.awaitMatching(s -> s.services().isEmpty());

        Files.createDirectories(missing);
        Files.writeString(missing.resolve("again.yaml"), service("again", null));

        recorder.awaitMatching(s -> ids(s.services()).equals(List.of("default/again")));
    }

    @Test
    void rewritingIdenticalContentDeliversNothing() throws Exception {
        write("a.yaml", service("a", null));
        write("b.yaml", service("b", null));
        start();
        recorder.awaitRevision(1);

        long readsBefore = source.reads();
        write("a.yaml", service("a", null));
        // The rewrite has been read, on its own, and delivered nothing.
        await().atMost(RELOAD).until(() -> source.reads() > readsBefore);
        assertThat(recorder.snapshots).hasSize(1);
        write("b.yaml", service("b2", null));

        ClusterSnapshot next = recorder.awaitMatching(s -> ids(s.services()).contains("default/b2"));
        assertThat(next.revision()).isEqualTo(2);
    }

    @Test
    void closeStopsDeliveries() throws Exception {
        write("a.yaml", service("a", null));
        start();
        recorder.awaitRevision(1);

        source.close();
        // Stopped, not merely told to stop: no thread is left that could deliver.
        assertThat(source.watching()).isFalse();
        write("a.yaml", service("changed", null));

        assertThat(recorder.snapshots).hasSize(1);
    }

    @Test
    void defaultConfigDirectoryHoldsTheDocumentedDemo() {
        source = new ManifestDirectorySource(Path.of("config"));
        source.start(recorder::accept);
        ClusterSnapshot snapshot = recorder.awaitRevision(1);

        assertThat(ids(snapshot.ingressClasses())).containsExactly("/ingress-gateway");
        var ingressClass = snapshot.ingressClasses().get(0);
        assertThat(ingressClass.getSpec().getController()).isEqualTo("ingress-gateway.io/controller");
        assertThat(ingressClass.getMetadata().getAnnotations())
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");

        assertThat(ids(snapshot.services())).containsExactly("default/demo");
        var service = snapshot.services().get(0);
        assertThat(service.getSpec().getSelector()).isNullOrEmpty();
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getPort()).isEqualTo(80);
        });

        assertThat(snapshot.endpointSlices()).singleElement().satisfies(slice -> {
            assertThat(slice.getMetadata().getNamespace()).isEqualTo("default");
            assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "demo");
            assertThat(slice.getEndpoints()).singleElement()
                    .satisfies(endpoint -> assertThat(endpoint.getAddresses()).containsExactly("127.0.0.1"));
            assertThat(slice.getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getName()).isEqualTo("http");
                assertThat(port.getPort()).isEqualTo(9090);
            });
        });

        assertThat(ids(snapshot.ingresses())).containsExactly("default/demo");
        var rule = snapshot.ingresses().get(0).getSpec().getRules().get(0);
        assertThat(rule.getHost()).isEqualTo("demo.localhost");
        assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
            assertThat(path.getPath()).isEqualTo("/");
            assertThat(path.getPathType()).isEqualTo("Prefix");
            assertThat(path.getBackend().getService().getName()).isEqualTo("demo");
            assertThat(path.getBackend().getService().getPort().getNumber()).isEqualTo(80);
        });
        assertThat(snapshot.secrets()).isEmpty();
    }

    private void start() {
        source = new ManifestDirectorySource(dir);
        source.start(recorder::accept);
    }

    private void write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static List<String> ids(List<? extends HasMetadata> objects) {
        return objects.stream()
                .map(o -> (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace()) + "/"
                        + o.getMetadata().getName())
                .toList();
    }

    private static List<String> hosts(ClusterSnapshot snapshot) {
        return snapshot.ingresses().stream()
                .flatMap(i -> i.getSpec().getRules().stream())
                .map(rule -> rule.getHost())
                .toList();
    }

    private static String service(String name, String namespace) {
        return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n"
                + (namespace == null ? "" : "  namespace: " + namespace + "\n")
                + "spec:\n  ports:\n    - name: http\n      port: 80\n";
    }

    private static String ingress(String name, String namespace, String host) {
        return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: " + name + "\n  namespace: "
                + namespace + "\nspec:\n  rules:\n    - host: " + host + "\n      http:\n        paths:\n"
                + "          - path: /\n            pathType: Prefix\n            backend:\n              service:\n"
                + "                name: " + name + "\n                port:\n                  number: 80\n";
    }

    private static String endpointSlice(String service, String namespace, String address) {
        return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: " + service + "-1\n"
                + (namespace == null ? "" : "  namespace: " + namespace + "\n")
                + "  labels:\n    kubernetes.io/service-name: " + service + "\naddressType: IPv4\n"
                + "endpoints:\n  - addresses: [\"" + address + "\"]\nports:\n  - name: http\n    port: 8080\n";
    }

    private static String indent(String yaml) {
        String[] lines = yaml.split("\n");
        StringBuilder out = new StringBuilder("- ").append(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            out.append("  ").append(lines[i]).append('\n');
        }
        return out.toString();
    }

    /** Records every delivery and the threads they arrived on. */
    static final class Recorder {
        final List<ClusterSnapshot> snapshots = new CopyOnWriteArrayList<>();
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        void accept(ClusterSnapshot snapshot) {
            threads.add(Thread.currentThread().getName());
            snapshots.add(snapshot);
        }

        ClusterSnapshot latest() {
            return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
        }

        ClusterSnapshot awaitRevision(long revision) {
            return await().atMost(RELOAD).until(() -> snapshots.stream()
                    .filter(s -> s.revision() == revision).findFirst().orElse(null), s -> s != null);
        }

        ClusterSnapshot awaitMatching(java.util.function.Predicate<ClusterSnapshot> condition) {
            return await().atMost(RELOAD).until(this::latest, s -> s != null && condition.test(s));
        }
    }
}
