package io.ingressgateway.source;

import static io.ingressgateway.source.ManifestDirectorySourceTest.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ingressgateway.source.ManifestDirectorySourceTest.Recorder;
import io.ingressgateway.support.ApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode: real HTTP list and watch. */
class KubernetesClusterSourceIT {

    /** A ceiling for a loaded CI machine, not a latency target: bench/convergence measures how fast changes arrive. */
    private static final Duration PROMPT = Duration.ofSeconds(30);
    /** For tests about what arrives rather than how soon. */
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    private ApiServer api;
    private KubernetesClient client;
    private KubernetesClusterSource source;
    private final Recorder recorder = new Recorder();

    @BeforeEach
    void startApiServer() {
        api = new ApiServer();
        client = api.client();
    }

    @AfterEach
    void stopAll() {
        if (source != null) {
            source.close();
        }
        api.close();
    }

    @Test
    void firstSnapshotHoldsEveryExistingObjectOfEveryKind() {
        client.network().v1().ingressClasses().resource(new IngressClassBuilder().withNewMetadata()
                .withName("ingress-gateway").endMetadata().withNewSpec()
                .withController("ingress-gateway.io/controller").endSpec().build()).create();
        for (String ns : List.of("apps", "web")) {
            client.services().inNamespace(ns).resource(service("svc")).create();
            client.discovery().v1().endpointSlices().inNamespace(ns).resource(slice("svc", "10.0.0.1")).create();
            client.network().v1().ingresses().inNamespace(ns).resource(ingress("site", "site.example.com"))
                    .create();
        }

        start(List.of());

        ClusterSnapshot first = recorder.awaitRevision(1);
        assertThat(recorder.snapshots.get(0)).isSameAs(first);
        assertThat(ids(first.ingressClasses())).containsExactly("/ingress-gateway");
        assertThat(ids(first.services())).containsExactly("apps/svc", "web/svc");
        assertThat(ids(first.endpointSlices())).containsExactly("apps/svc-abc", "web/svc-abc");
        assertThat(ids(first.ingresses())).containsExactly("apps/site", "web/site");
        assertThat(first.secrets()).isEmpty();
        await().atMost(PROMPT).until(source::synced);
    }

    @Test
    void ingressCreateUpdateAndDeleteAreDeliveredPromptly() {
        start(List.of());
        assertThat(recorder.awaitRevision(1).ingresses()).isEmpty();
        var ingresses = client.network().v1().ingresses().inNamespace("apps");

        ingresses.resource(ingress("site", "one.example.com")).create();
        awaitPromptly(s -> hosts(s).equals(List.of("one.example.com")));

        ingresses.withName("site").edit(i -> new IngressBuilder(i).editSpec().editFirstRule()
                .withHost("two.example.com").endRule().endSpec().build());
        awaitPromptly(s -> hosts(s).equals(List.of("two.example.com")));

        ingresses.withName("site").delete();
        awaitPromptly(s -> s.ingresses().isEmpty());

        assertThat(recorder.snapshots).extracting(ClusterSnapshot::revision)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, recorder.snapshots.size())
                        .mapToObj(Long::valueOf).toList());
        assertThat(recorder.threads).containsExactly("ingress-gateway-kubernetes-source");
    }

    @Test
    void endpointSliceCreateUpdateAndDeleteAreDeliveredPromptly() {
        start(List.of());
        recorder.awaitRevision(1);
        var slices = client.discovery().v1().endpointSlices().inNamespace("apps");

        slices.resource(slice("svc", "10.0.0.1")).create();
        awaitPromptly(s -> addresses(s).equals(List.of("10.0.0.1")));

        slices.withName("svc-abc").edit(slice -> new EndpointSliceBuilder(slice).editFirstEndpoint()
                .withAddresses("10.0.0.2").endEndpoint().build());
        awaitPromptly(s -> addresses(s).equals(List.of("10.0.0.2")));

        slices.withName("svc-abc").delete();
        awaitPromptly(s -> s.endpointSlices().isEmpty());
    }

    @Test
    void burstOfChangesEndsInTheCompleteState() {
        start(List.of());
        recorder.awaitRevision(1);

        for (int i = 0; i < 40; i++) {
            client.network().v1().ingresses().inNamespace("apps")
                    .resource(ingress("site-" + i, "site-" + i + ".example.com")).create();
        }

        recorder.awaitMatching(s -> s.ingresses().size() == 40);
    }

    @Test
    void objectsOutsideTheWatchedNamespacesNeverAppear() {
        for (String ns : List.of("apps", "web", "other")) {
            client.services().inNamespace(ns).resource(service("svc")).create();
            client.network().v1().ingresses().inNamespace(ns).resource(ingress("site", ns + ".example.com"))
                    .create();
        }
        client.network().v1().ingressClasses().resource(new IngressClassBuilder().withNewMetadata()
                .withName("cluster-wide").endMetadata().build()).create();

        start(List.of("apps", "web"));

        ClusterSnapshot first = recorder.awaitRevision(1);
        assertThat(ids(first.services())).containsExactly("apps/svc", "web/svc");
        assertThat(ids(first.ingresses())).containsExactly("apps/site", "web/site");
        assertThat(ids(first.ingressClasses())).containsExactly("/cluster-wide");

        client.network().v1().ingresses().inNamespace("other").resource(ingress("late", "late.other")).create();
        client.network().v1().ingresses().inNamespace("web").resource(ingress("late", "late.web")).create();

        awaitPromptly(s -> ids(s.ingresses()).contains("web/late"));
        assertThat(recorder.snapshots).allSatisfy(s -> {
            assertThat(ids(s.ingresses())).noneMatch(id -> id.startsWith("other/"));
            assertThat(ids(s.services())).noneMatch(id -> id.startsWith("other/"));
        });
        assertThat(source.description()).isEqualTo("kubernetes:apps,web");
    }

    /**
     * With watch-namespaces set, every namespaced kind (TLS Secrets included) is listed and watched in those namespaces
     * only, and nothing is ever read by name: what the chart's per-namespace Roles (list, watch) allow, and no more.
     */
    @Test
    void secretsOutsideTheWatchedNamespacesAreNeverRequestedNorSeen() {
        for (String ns : List.of("apps", "web", "other")) {
            client.secrets().inNamespace(ns).resource(tlsSecret("cert")).create();
        }
        start(List.of("apps", "web"));
        api.takeRequests(); // the test's own writes

        // What is asserted is what arrives, not how fast: generous ceilings hold on a loaded machine.
        ClusterSnapshot first = await().atMost(GENEROUS).until(recorder::latest, java.util.Objects::nonNull);
        assertThat(ids(first.secrets())).containsExactly("apps/cert", "web/cert");

        client.secrets().inNamespace("other").resource(tlsSecret("late")).create();
        client.secrets().inNamespace("web").resource(tlsSecret("late")).create();
        await().atMost(GENEROUS).until(recorder::latest, s -> ids(s.secrets()).contains("web/late"));
        assertThat(recorder.snapshots).allSatisfy(s ->
                assertThat(ids(s.secrets())).noneMatch(id -> id.startsWith("other/")));

        List<String> sourceRequests = api.takeRequests().stream()
                .filter(request -> !request.startsWith("POST ")) // the test's creates
                .toList();
        assertThat(sourceRequests).isNotEmpty().allSatisfy(request -> assertThat(request).startsWith("GET "));
        List<String> namespaced = sourceRequests.stream()
                .filter(request -> !request.contains("/ingressclasses")).toList();
        // Lists and watches in apps and web only: never a cluster-wide path, never another namespace, never one object.
        assertThat(namespaced).allSatisfy(request -> assertThat(request)
                .matches("GET /(api/v1|apis/[a-z0-9.]+/v1)/namespaces/(apps|web)/"
                        + "(ingresses|services|endpointslices|secrets)\\?.*"));
        assertThat(namespaced).filteredOn(request -> request.contains("/secrets?"))
                .isNotEmpty()
                .allSatisfy(request -> assertThat(request).contains("fieldSelector=type%3Dkubernetes.io%2Ftls"));
        assertThat(sourceRequests).noneMatch(request -> request.contains("/namespaces/other"));
    }

    /**
     * Issue 13 item 10: a Secret of any type that an annotation references arrives with its data; an unreferenced
     * Opaque Secret never does (it is not even requested), nor an unreferenced ConfigMap.
     */
    @Test
    void referencedSecretsOfAnyTypeAndConfigMapsArriveAndNothingElse() {
        client.secrets().inNamespace("apps").resource(opaqueSecret("users", "alice:hash")).create();
        client.secrets().inNamespace("apps").resource(opaqueSecret("app-credentials", "database password")).create();
        // proxy-ssl-secret from an Opaque Secret (a CA bundle made by hand): read whatever its type.
        client.secrets().inNamespace("apps").resource(opaqueSecret("upstream-ca", "not parsed here")).create();
        client.configMaps().inNamespace("apps").resource(configMap("headers", "X-Team", "blue")).create();
        client.configMaps().inNamespace("apps").resource(configMap("app-settings", "mode", "fast")).create();
        client.network().v1().ingresses().inNamespace("apps").resource(annotated("site", Map.of(
                "nginx.ingress.kubernetes.io/auth-secret", "users",
                "nginx.ingress.kubernetes.io/custom-headers", "apps/headers",
                "nginx.ingress.kubernetes.io/proxy-ssl-secret", "apps/upstream-ca"))).create();
        api.takeRequests(); // the test's own writes

        start(List.of());

        ClusterSnapshot first = recorder.awaitRevision(1);
        assertThat(ids(first.secrets())).containsExactly("apps/upstream-ca", "apps/users");
        assertThat(first.secrets()).allSatisfy(secret -> assertThat(secret.getData()).containsKey("auth"));
        assertThat(ids(first.configMaps())).containsExactly("apps/headers");
        assertThat(first.configMaps().get(0).getData()).containsEntry("X-Team", "blue");
        List<String> requests = api.takeRequests();
        assertThat(requests).noneMatch(request -> request.contains("app-credentials")
                || request.contains("app-settings"));
        // Secrets other than TLS ones and every ConfigMap are read by name only.
        assertThat(requests).filteredOn(request -> request.startsWith("GET ")
                        && (request.contains("/configmaps") || (request.contains("/secrets")
                        && !request.contains("fieldSelector=type%3Dkubernetes.io%2Ftls"))))
                .isNotEmpty()
                .allSatisfy(request -> assertThat(request).contains("fieldSelector=metadata.name%3D"));
    }

    @Test
    void aReferenceAddedLaterBringsItsSecretAndDroppingItForgetsIt() {
        client.secrets().inNamespace("apps").resource(opaqueSecret("users", "alice:hash")).create();
        client.network().v1().ingresses().inNamespace("apps").resource(annotated("site", Map.of())).create();
        start(List.of());
        assertThat(recorder.awaitRevision(1).secrets()).isEmpty();

        client.network().v1().ingresses().inNamespace("apps").withName("site").edit(i -> new IngressBuilder(i)
                .editMetadata().addToAnnotations("ingress-gateway.io/auth-secret", "apps/users").endMetadata()
                .build());
        await().atMost(GENEROUS).until(recorder::latest, s -> ids(s.secrets()).equals(List.of("apps/users")));

        client.network().v1().ingresses().inNamespace("apps").withName("site").edit(i -> new IngressBuilder(i)
                .editMetadata().withAnnotations(Map.of()).endMetadata().build());
        await().atMost(GENEROUS).until(recorder::latest, s -> s.secrets().isEmpty());
    }

    @Test
    void aReferencedSecretCreatedLaterOrUpdatedOrDeletedIsFollowed() {
        client.network().v1().ingresses().inNamespace("apps").resource(annotated("site", Map.of(
                "nginx.ingress.kubernetes.io/auth-secret", "users"))).create();
        start(List.of());
        assertThat(recorder.awaitRevision(1).secrets()).isEmpty();

        client.secrets().inNamespace("apps").resource(opaqueSecret("users", "alice:one")).create();
        await().atMost(GENEROUS).until(recorder::latest, s -> auth(s).equals("alice:one"));

        client.secrets().inNamespace("apps").withName("users").edit(secret -> opaqueSecret("users", "alice:two"));
        await().atMost(GENEROUS).until(recorder::latest, s -> auth(s).equals("alice:two"));

        client.secrets().inNamespace("apps").withName("users").delete();
        await().atMost(GENEROUS).until(recorder::latest, s -> s.secrets().isEmpty());
    }

    /**
     * auth-secret, proxy-ssl-secret and custom-headers are read from the Ingress's own namespace only; auth-tls-secret
     * may name another namespace, as ingress-nginx allows, but only a watched one is ever read.
     */
    @Test
    void crossNamespaceReferencesAreReadOnlyWhereAllowedAndWatched() {
        for (String ns : List.of("apps", "shared", "other")) {
            client.secrets().inNamespace(ns).resource(opaqueSecret("users", "alice:hash")).create();
            client.secrets().inNamespace(ns).resource(opaqueSecret("ca", "not parsed here")).create();
        }
        client.network().v1().ingresses().inNamespace("apps").resource(annotated("site", Map.of(
                "nginx.ingress.kubernetes.io/auth-secret", "shared/users",
                "nginx.ingress.kubernetes.io/auth-tls-secret", "shared/ca"))).create();
        client.network().v1().ingresses().inNamespace("apps").resource(annotated("elsewhere", Map.of(
                "nginx.ingress.kubernetes.io/auth-tls-secret", "other/ca"))).create();
        api.takeRequests(); // the test's own writes

        start(List.of("apps", "shared"));

        assertThat(ids(recorder.awaitRevision(1).secrets())).containsExactly("shared/ca");
        assertThat(api.takeRequests()).noneMatch(request -> request.contains("/namespaces/other")
                || request.contains("metadata.name%3Dusers"));
    }

    @Test
    void closeStopsDeliveries() throws Exception {
        start(List.of());
        recorder.awaitRevision(1);

        assertThat(source.watching()).isTrue();
        source.close();
        // Stopped, not merely told to stop: no informer is left that could see the change below.
        assertThat(source.watching()).isFalse();
        client.network().v1().ingresses().inNamespace("apps").resource(ingress("site", "x.example.com")).create();

        assertThat(recorder.snapshots).hasSize(1);
    }

    private void start(List<String> namespaces) {
        source = new KubernetesClusterSource(client, namespaces);
        source.start(recorder::accept);
    }

    private void awaitPromptly(Predicate<ClusterSnapshot> condition) {
        await().atMost(PROMPT).until(recorder::latest, s -> s != null && condition.test(s));
    }

    private static List<String> hosts(ClusterSnapshot snapshot) {
        return snapshot.ingresses().stream().map(i -> i.getSpec().getRules().get(0).getHost()).toList();
    }

    private static List<String> addresses(ClusterSnapshot snapshot) {
        return snapshot.endpointSlices().stream()
                .flatMap(slice -> slice.getEndpoints().stream())
                .flatMap(endpoint -> endpoint.getAddresses().stream())
                .toList();
    }

    private static io.fabric8.kubernetes.api.model.Service service(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build();
    }

    private static EndpointSlice slice(String service, String address) {
        return new EndpointSliceBuilder().withNewMetadata().withName(service + "-abc")
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions()
                .endEndpoint()
                .addNewPort().withName("http").withPort(8080).endPort()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.Secret tlsSecret(String name) {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withType(ClusterSnapshot.TLS_SECRET_TYPE)
                .addToStringData("tls.crt", "not parsed by the source").addToStringData("tls.key", "nor this")
                .build();
    }

    private static String auth(ClusterSnapshot snapshot) {
        return snapshot.secrets().isEmpty() ? "" : new String(java.util.Base64.getDecoder().decode(
                snapshot.secrets().get(0).getData().get("auth")), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static io.fabric8.kubernetes.api.model.Secret opaqueSecret(String name, String auth) {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withType("Opaque")
                .addToData("auth", java.util.Base64.getEncoder().encodeToString(
                        auth.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build();
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String name, String key, String value) {
        return new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                .addToData(key, value).build();
    }

    private static Ingress annotated(String name, Map<String, String> annotations) {
        return new IngressBuilder(ingress(name, name + ".example.com")).editMetadata().withAnnotations(annotations)
                .endMetadata().build();
    }

    private static Ingress ingress(String name, String host) {
        return new IngressBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewRule().withHost(host).withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("svc").withNewPort()
                .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
                .build();
    }
}
