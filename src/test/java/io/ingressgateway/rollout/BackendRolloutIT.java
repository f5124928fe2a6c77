package io.ingressgateway.rollout;

import static io.ingressgateway.support.Objects.endpointSlice;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.gateway.route.GatewayRouteModel;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.resilience.UpstreamGuard;
import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.KubeletProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A backend Deployment rolled under load loses no request. One gateway watches a (mock, CRUD-mode) API server; a
 * Service has three pods (loopback servers), each in its own EndpointSlice (they share 127.0.0.1, so each needs its own
 * slice port). The test writes the slices as the endpoints controller would during a rolling update, one pod at a
 * time, while clients loop requests through the gateway and never retry.
 */
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.tls.enabled=false",
        "ingress-gateway.status.publish-address=203.0.113.10",
        "ingress-gateway.status.lease-namespace=ingress-gateway"})
@DirtiesContext
class BackendRolloutIT {

    private static final String NAMESPACE = "rollout";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int CLIENTS = 4;
    private static final int PODS = 3;
    /** Requests the load makes between two steps of a rollout, so that every step happens under traffic. */
    private static final int REQUESTS_PER_STEP = 40;

    static final ApiServer api = new ApiServer();

    static {
        api.apply(namespace("ingress-gateway"));
        api.apply(namespace(NAMESPACE));
        api.apply(ingressClass("ingress-gateway", "ingress-gateway.io/controller", false));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stopApiServer() {
        api.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    GatewayRouteModel routeModel;

    @Autowired
    MeterRegistry meters;

    /**
     * The rolling update as it goes with a preStop: the new pod becomes ready, the old one is marked terminating
     * (ready=false, serving=true, terminating=true), stops only once the gateway has taken it out (it answers what it
     * was answering first), and leaves the slice. The Ingress retries nothing ({@code proxy-next-upstream: off}), so
     * a request sent to a terminating pod after it stopped would fail: none may be.
     */
    @Test
    void rollingABackendWhoseOldPodsTerminateLosesNoRequestEvenWithoutRetries() throws Exception {
        Rollout rollout = new Rollout("graceful", "graceful.test", "off");
        rollout.roll(old -> {
            rollout.markTerminating(old);
            rollout.awaitServedBy(old, false);
            old.stopGracefully();
            rollout.remove(old);
        });
        rollout.finish(0);
    }

    /**
     * A pod that dies before the endpoints update reaches the gateway (no preStop, a crash, an eviction): its
     * endpoint still listed, its connections refused. The Ingress sets no retries: the default
     * ({@code proxy-next-upstream: error timeout}) sends each refused request to another pod.
     */
    @Test
    void rollingABackendWhoseOldPodsDieBeforeTheSliceUpdateLosesNoRequest() throws Exception {
        Rollout rollout = new Rollout("killed", "killed.test", null);
        rollout.roll(old -> {
            old.kill();
            // Traffic reaches the dead pod's endpoint while the gateway still lists it.
            rollout.awaitRequests();
            rollout.markTerminating(old);
            rollout.awaitServedBy(old, false);
            rollout.remove(old);
        });
        double retried = retries("killed");
        rollout.finish(retried);
        assertThat(retried).as("requests retried after a refused connection").isPositive();
    }

    /** One Service and its Ingress, the pods serving it, and the load. */
    private final class Rollout {

        private final String service;
        private final String host;
        private final UpstreamKey upstream;
        private final List<PodBackend> pods = new ArrayList<>();
        private final List<PodBackend> retired = new ArrayList<>();
        private RequestLoad load;
        private long started;

        /** @param nextUpstream the Ingress's proxy-next-upstream annotation, or null for none */
        Rollout(String service, String host, String nextUpstream) {
            this.service = service;
            this.host = host;
            this.upstream = new UpstreamKey(NAMESPACE, service, "80");
            api.apply(service(NAMESPACE, service, port("http", 80, 8080)));
            for (int i = 0; i < PODS; i++) {
                PodBackend pod = new PodBackend(service + "-old-" + i);
                api.apply(endpointSlice(NAMESPACE, service, pod.name(), "http", pod.port(), true));
                pods.add(pod);
            }
            var ingress = ingress(NAMESPACE, service).className("ingress-gateway")
                    .rules(rule(host, prefix("/", service)));
            if (nextUpstream != null) {
                ingress.annotation("nginx.ingress.kubernetes.io/proxy-next-upstream", nextUpstream);
            }
            api.apply(ingress.build());
            await().atMost(PATIENCE).until(() -> KubeletProbe.get(managementPort, "/actuator/health/readiness",
                    Duration.ofSeconds(1)).status() == 200);
            pods.forEach(pod -> awaitServedBy(pod, true));
        }

        /** Under load, replaces each pod by a new one: the new one ready first, then {@code retire} the old one. */
        void roll(Consumer<PodBackend> retire) {
            started = System.nanoTime();
            load = new RequestLoad(port, host, CLIENTS);
            awaitRequests();
            for (PodBackend old : List.copyOf(pods)) {
                add(new PodBackend(old.name().replace("-old-", "-new-")));
                awaitRequests();
                retire.accept(old);
                pods.remove(old);
                retired.add(old);
                awaitRequests();
            }
        }

        void finish(double retried) throws InterruptedException {
            load.close();
            System.out.printf("BackendRolloutIT %s: %d requests in %.1f s, %d failed, %.0f retried; old pods "
                            + "served %s, new pods %s%n", service, load.succeeded() + load.failed(),
                    (System.nanoTime() - started) / 1e9, load.failed(), retried,
                    retired.stream().map(PodBackend::served).toList(),
                    pods.stream().map(PodBackend::served).toList());
            pods.forEach(PodBackend::kill);
            assertThat(load.failures()).as("failed requests").isEmpty();
            assertThat(load.failed()).isZero();
            // Every pod, old and new, took part.
            assertThat(retired).allMatch(pod -> pod.served() > 0, "every old pod served");
            assertThat(pods).allMatch(pod -> pod.served() > 0, "every new pod served");
        }

        private void add(PodBackend pod) {
            api.apply(endpointSlice(NAMESPACE, service, pod.name(), "http", pod.port(), true));
            pods.add(pod);
            awaitServedBy(pod, true);
        }

        /** What the endpoints controller writes for a pod being deleted. */
        void markTerminating(PodBackend pod) {
            EndpointSlice slice = endpointSlice(NAMESPACE, service, pod.name(), "http", pod.port(), false);
            api.apply(new EndpointSliceBuilder(slice).editFirstEndpoint().withNewConditions().withReady(false)
                    .withServing(true).withTerminating(true).endConditions().endEndpoint().build());
        }

        void remove(PodBackend pod) {
            api.delete(endpointSlice(NAMESPACE, service, pod.name(), "http", pod.port(), false));
        }

        /** Waits until the gateway's upstream lists the pod's endpoint, or no longer does. */
        void awaitServedBy(PodBackend pod, boolean listed) {
            Endpoint endpoint = new Endpoint("127.0.0.1", pod.port());
            await().alias(pod.name() + (listed ? " listed" : " no longer listed") + " in the gateway's upstream")
                    .atMost(PATIENCE).until(() -> {
                Upstream current = routeModel.upstream(upstream);
                return current != null && current.endpoints().contains(endpoint) == listed;
            });
        }

        void awaitRequests() {
            long from = load.succeeded() + load.failed();
            await().atMost(PATIENCE).until(() -> load.succeeded() + load.failed() >= from + REQUESTS_PER_STEP);
        }
    }

    private double retries(String ingressName) {
        Counter counter = meters.find(UpstreamGuard.METER_PREFIX + "retries").tag("ingress", ingressName).counter();
        if (counter != null) {
            return counter.count();
        }
        FunctionCounter counted = meters.find(UpstreamGuard.METER_PREFIX + "retries").tag("ingress", ingressName)
                .functionCounter();
        return counted == null ? 0 : counted.count();
    }
}
