package io.ingressgateway;

import static io.ingressgateway.support.Objects.OUR_CONTROLLER;
import static io.ingressgateway.support.Objects.endpointSlice;
import static io.ingressgateway.support.Objects.ingress;
import static io.ingressgateway.support.Objects.ingressClass;
import static io.ingressgateway.support.Objects.namespace;
import static io.ingressgateway.support.Objects.path;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.serviceBackend;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.support.ApiServer;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.NoBlockingOnEventLoops;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Default backends and rules without host, which catch traffic cluster-wide and so get a gateway of their own: the
 * configured default backend Service, then an Ingress's {@code spec.defaultBackend} taking over, per-host defaults,
 * and host-less rules.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(classes = IngressGatewayApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.server.port=0",
        "ingress-gateway.source=kubernetes",
        "ingress-gateway.default-backend-service=fallback/fallback:80"})
@DirtiesContext
class DefaultBackendIT {

    static final ApiServer api = new ApiServer();
    static final Backend configured = new Backend("configured-default");
    static final Backend app = new Backend("app");
    static final Backend hostDefault = new Backend("host-default");
    static final Backend clusterDefault = new Backend("cluster-default");
    static final Backend anyHost = new Backend("any-host");

    static {
        api.apply(ingressClass("ingress-gateway", OUR_CONTROLLER, false));
        api.apply(namespace("fallback"));
        api.apply(service("fallback", "fallback", port("http", 80, 8080)));
        api.apply(endpointSlice("fallback", "fallback", "fallback-1", "http", configured.port(), true));
    }

    @DynamicPropertySource
    static void apiServer(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.kubernetes.master-url", api::url);
    }

    @AfterAll
    static void stop() {
        for (Backend backend : new Backend[] {configured, app, hostDefault, clusterDefault, anyHost}) {
            backend.close();
        }
        api.close();
    }

    @LocalServerPort
    int port;

    void serviceFor(String ns, String name, Backend backend) {
        api.apply(service(ns, name, port("http", 80, 8080)));
        api.apply(endpointSlice(ns, name, name + "-1", "http", backend.port(), true));
    }

    void awaitBody(HttpProbe http, String host, String path, Backend expected) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            HttpProbe.Response response = http.get(host, path);
            assertThat(response.status()).as("%s%s", host, path).isEqualTo(200);
            assertThat(response.body()).as("%s%s", host, path).isEqualTo(expected.name());
        });
    }

    @Test
    void routesUnmatchedTrafficToTheIngressCatchAllOrHostDefaultsElseTheConfiguredOne() {
        HttpProbe http = new HttpProbe(port);
        // Nothing matches yet: the configured default backend Service answers.
        awaitBody(http, "nothing.test", "/", configured);

        String ns = "defaults";
        api.apply(namespace(ns));
        serviceFor(ns, "app", app);
        serviceFor(ns, "host-default", hostDefault);
        serviceFor(ns, "cluster-default", clusterDefault);
        serviceFor(ns, "any-host", anyHost);

        // An Ingress with rules and a defaultBackend: its host's unmatched paths go to that default.
        api.applyThenTick(ingress(ns, "site").className("ingress-gateway")
                .defaultBackend(serviceBackend("host-default", 80))
                .rules(rule("site.test", path("Prefix", "/app", serviceBackend("app", 80)))).build());
        awaitBody(http, "site.test", "/app", app);
        awaitBody(http, "site.test", "/elsewhere", hostDefault);

        // As in ingress-nginx, an Ingress with rules keeps its defaultBackend for its own hosts: requests matching no
        // host still go to the configured default backend.
        awaitBody(http, "nothing.test", "/", configured);

        // An Ingress with only a defaultBackend is the catch-all for every unmatched host, and only for those: the
        // other host's unmatched paths keep their own default.
        api.apply(ingress(ns, "catch-all").className("ingress-gateway")
                .defaultBackend(serviceBackend("cluster-default", 80)).build());
        awaitBody(http, "nothing.test", "/", clusterDefault);
        awaitBody(http, "site.test", "/elsewhere", hostDefault);

        // Without its defaultBackend, that host's unmatched paths go to the configured default backend, never to
        // the catch-all Ingress's.
        api.apply(ingress(ns, "site").className("ingress-gateway")
                .rules(rule("site.test", path("Prefix", "/app", serviceBackend("app", 80)))).build());
        awaitBody(http, "site.test", "/elsewhere", configured);
        api.delete(ingress(ns, "site").build());
        awaitBody(http, "nothing.test", "/", clusterDefault);

        // Rules without a host match any host that has no rules of its own.
        api.apply(ingress(ns, "any").className("ingress-gateway")
                .rules(rule(null, path("Prefix", "/any", serviceBackend("any-host", 80)))).build());
        awaitBody(http, "whatever.test", "/any/thing", anyHost);
        awaitBody(http, "whatever.test", "/not-any", clusterDefault);

        api.delete(ingress(ns, "catch-all").build());
        awaitBody(http, "whatever.test", "/not-any", configured);
    }
}
