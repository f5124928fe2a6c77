package io.ingressgateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ingressgateway.support.ApiServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The whole application against a (mock) API server: the real informer source and translator feed the status
 * writer, which elects itself through a Lease and writes the status of the Ingress of our class only. The context is
 * closed with the class: left in the cache, its informers and leader election would go on reconnecting to the stopped
 * API server for the rest of the run, costing CPU and leaking buffers of the API client into later leak checks.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.status.publish-address=10.0.0.7",
        "ingress-gateway.status.lease-namespace=ingress-system",
        "ingress-gateway.status.identity=gw-wiring"})
class StatusWiringIT {

    private static ApiServer api;
    private static KubernetesClient client;

    @LocalManagementPort
    int managementPort;

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        api = new ApiServer();
        client = api.client();
        client.network().v1().ingressClasses().resource(new IngressClassBuilder()
                .withNewMetadata().withName("ingress-gateway").endMetadata()
                .withNewSpec().withController("ingress-gateway.io/controller").endSpec()
                .build()).create();
        createIngress("ours", "ingress-gateway");
        createIngress("theirs", "nginx");
        registry.add("ingress-gateway.kubernetes.master-url", () -> client.getConfiguration().getMasterUrl());
    }

    @AfterAll
    static void stopApiServer() {
        api.close();
    }

    @Test
    void theLeaderWritesStatusOfServedIngressesAndReportsLeadership() {
        await().atMost(Duration.ofSeconds(30)).until(() -> hasStatus(current("ours")));
        assertThat(current("ours").getStatus().getLoadBalancer().getIngress())
                .singleElement().satisfies(point -> assertThat(point.getIp()).isEqualTo("10.0.0.7"));
        assertThat(client.leases().inNamespace("ingress-system").withName("ingress-gateway-leader").get()
                .getSpec().getHolderIdentity()).isEqualTo("gw-wiring");
        assertThat(hasStatus(current("theirs"))).isFalse();

        String metrics = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).containsPattern("(?m)^ingress_gateway_leader 1\\.0$");
    }

    private static void createIngress(String name, String className) {
        client.network().v1().ingresses().inNamespace("apps").resource(new IngressBuilder()
                .withNewMetadata().withNamespace("apps").withName(name).endMetadata()
                .withNewSpec().withIngressClassName(className)
                    .addNewRule().withHost(name + ".example.com").withNewHttp().addNewPath()
                        .withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort()
                        .endService().endBackend()
                    .endPath().endHttp().endRule()
                .endSpec()
                .build()).create();
    }

    private static Ingress current(String name) {
        return client.network().v1().ingresses().inNamespace("apps").withName(name).get();
    }

    private static boolean hasStatus(Ingress ingress) {
        return ingress.getStatus() != null && ingress.getStatus().getLoadBalancer() != null
                && !ingress.getStatus().getLoadBalancer().getIngress().isEmpty();
    }
}
