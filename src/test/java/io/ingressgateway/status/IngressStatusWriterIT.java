package io.ingressgateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.ApiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The status writer against a real (mock) API server in CRUD mode: a real Lease decides who leads, Ingresses and
 * Events are real objects. The route model is built by hand, as the translator would report these Ingresses.
 */
class IngressStatusWriterIT {

    private static final String NS = "apps";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ApiServer api;
    private KubernetesClient client;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicLong revision = new AtomicLong();

    @BeforeEach
    void startApiServer() {
        api = new ApiServer();
        client = api.client();
    }

    @AfterEach
    void stopApiServer() throws Exception {
        Collections.reverse(closeables);
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        api.close();
    }

    @Test
    void leaderWritesPublishAddressesOnServedIngressesOnly() {
        Ingress other = createIngress("a-other", "nginx");
        Ingress ours = createIngress("b-ours", "ingress-gateway");
        LeaderElection election = election("gw-1");
        IngressStatusWriter writer = writer(election, "10.0.0.7, LB.example.com,2001:db8::1", "");
        // The state arrives before leadership: becoming leader must do a full pass with it.
        writer.onModel(state(List.of(other, ours), List.of(), notServed(other, List.of()), served(ours, List.of())));
        election.start();

        await().atMost(TIMEOUT).until(() -> !addresses("b-ours").isEmpty());
        assertThat(addresses("b-ours")).containsExactly(
                new PublishAddress("10.0.0.7", null),
                new PublishAddress("2001:db8::1", null),
                new PublishAddress(null, "lb.example.com"));
        Lease lease = client.leases().inNamespace("ingress-system").withName("gw-lease").get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("gw-1");
        // Written in name order in the same pass, so the Ingress of another class has been considered already.
        assertThat(addresses("a-other")).isEmpty();
        assertThat(current("a-other").getMetadata().getResourceVersion())
                .isEqualTo(other.getMetadata().getResourceVersion());
    }

    @Test
    void publishServiceAddressesComeFromTheSnapshotFirstThenTheApi() {
        Ingress first = createIngress("first", "ingress-gateway");
        Ingress second = createIngress("second", "ingress-gateway");
        Ingress third = createIngress("third", "ingress-gateway");
        // The snapshot's copy of the Service: a load balancer with an IP and a host name.
        Service inSnapshot = new ServiceBuilder()
                .withNewMetadata().withNamespace("ingress-system").withName("gateway").endMetadata()
                .withNewStatus().withNewLoadBalancer()
                    .addNewIngress().withIp("192.0.2.10").endIngress()
                    .addNewIngress().withHostname("elb.example.net").endIngress()
                .endLoadBalancer().endStatus()
                .build();
        LeaderElection election = leader("gw-1");
        IngressStatusWriter fromSnapshot = writer(election, "", "ingress-system/gateway");
        fromSnapshot.onModel(state(List.of(first), List.of(inSnapshot), served(first, List.of())));
        await().atMost(TIMEOUT).until(() -> !addresses("first").isEmpty());
        assertThat(addresses("first")).containsExactly(
                new PublishAddress("192.0.2.10", null), new PublishAddress(null, "elb.example.net"));

        // Not in the snapshot (its namespace is not watched): fetched from the API, load balancer first...
        client.services().inNamespace("ingress-system").resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("ingress-system").withName("fetched").endMetadata()
                .withNewSpec().withExternalIPs("198.51.100.9").endSpec()
                .build()).create();
        client.services().inNamespace("ingress-system").withName("fetched").editStatus(s -> new ServiceBuilder(s)
                .withNewStatus().withNewLoadBalancer().addNewIngress().withHostname("lb.example.org").endIngress()
                .endLoadBalancer().endStatus().build());
        IngressStatusWriter fromApi = writer(election, "", "ingress-system/fetched");
        fromApi.onModel(state(List.of(second), List.of(), served(second, List.of())));
        await().atMost(TIMEOUT).until(() -> !addresses("second").isEmpty());
        assertThat(addresses("second")).containsExactly(new PublishAddress(null, "lb.example.org"));

        // ...and its external IPs when it has no load balancer.
        client.services().inNamespace("ingress-system").resource(new ServiceBuilder()
                .withNewMetadata().withNamespace("ingress-system").withName("external").endMetadata()
                .withNewSpec().withExternalIPs("198.51.100.9", "198.51.100.8").endSpec()
                .build()).create();
        IngressStatusWriter fromExternalIps = writer(election, "", "ingress-system/external");
        fromExternalIps.onModel(state(List.of(third), List.of(), served(third, List.of())));
        await().atMost(TIMEOUT).until(() -> !addresses("third").isEmpty());
        assertThat(addresses("third")).containsExactly(
                new PublishAddress("198.51.100.8", null), new PublishAddress("198.51.100.9", null));
    }

    @Test
    void noWriteWhenTheStatusAlreadyMatchesNorWhileOurOwnWriteIsInFlight() {
        Ingress alreadySet = createIngress("a-set", "ingress-gateway");
        alreadySet = client.network().v1().ingresses().inNamespace(NS).resource(new IngressBuilder(alreadySet)
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("10.0.0.7").endIngress()
                .endLoadBalancer().endStatus().build()).updateStatus();
        Ingress unset = createIngress("b-unset", "ingress-gateway");
        IngressStatusWriter writer = writer(leader("gw-1"), "10.0.0.7", "");

        writer.onModel(state(List.of(alreadySet, unset), List.of(),
                served(alreadySet, List.of()), served(unset, List.of())));
        await().atMost(TIMEOUT).until(() -> !addresses("b-unset").isEmpty());
        assertThat(current("a-set").getMetadata().getResourceVersion())
                .isEqualTo(alreadySet.getMetadata().getResourceVersion());
        String writtenVersion = current("b-unset").getMetadata().getResourceVersion();
        assertThat(writtenVersion).isNotEqualTo(unset.getMetadata().getResourceVersion());

        // The same stale snapshot again (our write has not come back through the watch): no second write.
        // A third Ingress marks when that pass is done.
        Ingress marker = createIngress("c-marker", "ingress-gateway");
        writer.onModel(state(List.of(alreadySet, unset, marker), List.of(),
                served(alreadySet, List.of()), served(unset, List.of()), served(marker, List.of())));
        await().atMost(TIMEOUT).until(() -> !addresses("c-marker").isEmpty());
        assertThat(current("b-unset").getMetadata().getResourceVersion()).isEqualTo(writtenVersion);
        assertThat(current("a-set").getMetadata().getResourceVersion())
                .isEqualTo(alreadySet.getMetadata().getResourceVersion());
    }

    @Test
    void onlyTheLeaderWritesAndAFollowerTakesOverWhenTheLeaderStops() throws Exception {
        Ingress ours = createIngress("ours", "ingress-gateway");
        LeaderElection first = leader("gw-1");
        LeaderElection second = election("gw-2");
        IngressStatusWriter followerWriter = writer(second, "10.0.0.9", "");
        second.start();
        await().atMost(TIMEOUT).until(() -> "gw-1".equals(second.observedLeader()));

        long passesBefore = followerWriter.passesDone();
        followerWriter.onModel(state(List.of(ours), List.of(), served(ours, List.of())));
        // The follower has made its pass over the change, and written nothing.
        await().atMost(TIMEOUT).until(() -> followerWriter.passesDone() > passesBefore);
        assertThat(second.isLeader()).isFalse();
        assertThat(addresses("ours")).isEmpty();

        first.stop();
        assertThat(first.isLeader()).isFalse();
        await().atMost(TIMEOUT).until(second::isLeader);
        await().atMost(TIMEOUT).until(() -> !addresses("ours").isEmpty());
        assertThat(addresses("ours")).containsExactly(new PublishAddress("10.0.0.9", null));
        assertThat(client.leases().inNamespace("ingress-system").withName("gw-lease").get()
                .getSpec().getHolderIdentity()).isEqualTo("gw-2");
    }

    @Test
    void diagnosticsBecomeOneWarningEventPerChange() {
        Ingress broken = createIngress("a-broken", "ingress-gateway");
        Ingress otherClass = createIngress("b-other", "nginx");
        IngressStatusWriter writer = writer(leader("gw-1"), "10.0.0.7", "");
        List<Diagnostic> problems = List.of(
                Diagnostic.warning("spec.rules[0].http.paths[0].backend", "Service web-missing not found"));
        writer.onModel(state(List.of(broken, otherClass), List.of(),
                served(broken, problems), notServed(otherClass, problems)));

        await().atMost(TIMEOUT).until(() -> eventsFor("a-broken").size() == 1);
        Event event = eventsFor("a-broken").get(0);
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getReason()).isEqualTo("IngressDiagnostics");
        assertThat(event.getMessage()).contains("spec.rules[0].http.paths[0].backend")
                .contains("Service web-missing not found");
        assertThat(event.getSource().getComponent()).isEqualTo("ingress-gateway");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Ingress");
        assertThat(event.getInvolvedObject().getUid()).isEqualTo(broken.getMetadata().getUid());

        // Same diagnostics again: no new Event. A marker Ingress with its own problem tells the pass is done.
        Ingress marker = createIngress("c-marker", "ingress-gateway");
        writer.onModel(state(List.of(broken, otherClass, marker), List.of(), served(broken, problems),
                notServed(otherClass, problems), served(marker, List.of(Diagnostic.error("spec", "marker")))));
        await().atMost(TIMEOUT).until(() -> eventsFor("c-marker").size() == 1);
        assertThat(eventsFor("a-broken")).hasSize(1);
        assertThat(eventsFor("b-other")).isEmpty();

        // Changed diagnostics: a new Event.
        List<Diagnostic> changed = List.of(Diagnostic.error("spec.tls[0].secretName", "Secret tls-missing not found"));
        writer.onModel(state(List.of(broken, otherClass, marker), List.of(), served(broken, changed),
                notServed(otherClass, problems), served(marker, List.of(Diagnostic.error("spec", "marker")))));
        await().atMost(TIMEOUT).until(() -> eventsFor("a-broken").size() == 2);
        assertThat(eventsFor("a-broken")).anySatisfy(e -> assertThat(e.getMessage()).contains("tls-missing"));
    }

    /**
     * What the writer asks of the API server is what the chart grants on Ingresses and Events: PUT on the status
     * subresource (update) and POST of Events (create); never a get of an Ingress nor a patch of an Event.
     */
    @Test
    void writesStatusAndEventsWithTheVerbsTheChartGrantsOnly() {
        Ingress ours = createIngress("a-ours", "ingress-gateway");
        IngressStatusWriter writer = writer(leader("gw-1"), "10.0.0.7", "");
        api.takeRequests(); // the test's own writes and the election's

        writer.onModel(state(List.of(ours), List.of(), served(ours, List.of(Diagnostic.warning("spec", "odd")))));
        // Watched through the server's request log alone: a read of ours would be mistaken for the writer's.
        String status = "PUT /apis/networking.k8s.io/v1/namespaces/apps/ingresses/a-ours/status";
        String event = "POST /api/v1/namespaces/apps/events";
        List<String> requests = new ArrayList<>();
        await().atMost(TIMEOUT).until(() -> {
            requests.addAll(api.takeRequests());
            return requests.contains(status) && requests.contains(event);
        });

        assertThat(requests).filteredOn(request -> !request.contains("/leases")) // the election renews meanwhile
                .allSatisfy(request -> assertThat(request).isIn(status, event));
    }

    // --- helpers ---

    /** A candidate on the shared Lease; stopped after the test. */
    private LeaderElection election(String identity) {
        LeaderElection election = new LeaderElection(client,
                new LeaderElection.Settings("ingress-system", "gw-lease", identity), LeaderElection.Timing.DEFAULT);
        closeables.add(election::stop);
        return election;
    }

    private LeaderElection leader(String identity) {
        LeaderElection election = election(identity);
        election.start();
        await().atMost(TIMEOUT).until(election::isLeader);
        return election;
    }

    private IngressStatusWriter writer(LeaderElection election, String publishAddress, String publishService) {
        IngressStatusWriter writer = new IngressStatusWriter(client, election,
                new PublishAddressResolver(client, publishAddress, publishService));
        closeables.add(writer);
        return writer;
    }

    private Ingress createIngress(String name, String className) {
        return client.network().v1().ingresses().inNamespace(NS).resource(new IngressBuilder()
                .withNewMetadata().withNamespace(NS).withName(name).endMetadata()
                .withNewSpec().withIngressClassName(className)
                    .withNewDefaultBackend().withNewService().withName("web")
                        .withNewPort().withNumber(80).endPort().endService().endDefaultBackend()
                .endSpec()
                .build()).create();
    }

    private Ingress current(String name) {
        return client.network().v1().ingresses().inNamespace(NS).withName(name).get();
    }

    private List<PublishAddress> addresses(String name) {
        Ingress ingress = current(name);
        if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null) {
            return List.of();
        }
        List<PublishAddress> addresses = new ArrayList<>();
        for (IngressLoadBalancerIngress point : ingress.getStatus().getLoadBalancer().getIngress()) {
            addresses.add(new PublishAddress(point.getIp(), point.getHostname()));
        }
        return addresses;
    }

    private List<Event> eventsFor(String ingressName) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> ingressName.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    private PipelineState state(List<Ingress> ingresses, List<Service> services, IngressReport... reports) {
        long rev = revision.incrementAndGet();
        return new PipelineState(
                new ClusterSnapshot(ingresses, List.of(), services, List.of(), List.of(), rev),
                new RouteModel(List.of(), Map.of(), null, List.of(reports), rev));
    }

    private static IngressReport served(Ingress ingress, List<Diagnostic> diagnostics) {
        return new IngressReport(ref(ingress), true, "class ingress-gateway is ours", diagnostics, List.of());
    }

    private static IngressReport notServed(Ingress ingress, List<Diagnostic> diagnostics) {
        return new IngressReport(ref(ingress), false, "class nginx belongs to another controller", diagnostics,
                List.of());
    }

    private static IngressRef ref(Ingress ingress) {
        return new IngressRef(ingress.getMetadata().getNamespace(), ingress.getMetadata().getName());
    }
}
