package io.ingressgateway.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Lints and renders the Helm chart with the Helm library bundled by helm-java, then checks the rendered manifests:
 * what the cluster would receive, and whether the pieces agree with each other and with the application's
 * configuration keys.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/ingress-gateway");
    private static final String RELEASE = "edge";
    private static final String NAMESPACE = "gateway-system";
    private static final String FULLNAME = "edge-ingress-gateway";

    @Test
    void chartPassesStrictLint() {
        LintResult result = new Helm(CHART).lint().strict().call();

        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void defaultServiceIsLoadBalancerKeepingClientAddresses() {
        Map<String, Object> service = render(Map.of()).one("Service");
        Map<String, Object> spec = map(service, "spec");

        assertThat(spec.get("type")).isEqualTo("LoadBalancer");
        assertThat(spec.get("externalTrafficPolicy")).isEqualTo("Local");
        assertThat(servicePorts(service)).containsExactly(
                new ServicePort("http", 80, "http", null),
                new ServicePort("https", 443, "https", null));
    }

    @Test
    void nodePortServiceUsesConfiguredNodePorts() {
        Map<String, Object> service = render(Map.of(
                "service.type", "NodePort",
                "service.nodePorts.http", 30080,
                "service.nodePorts.https", 30443)).one("Service");

        assertThat(map(service, "spec").get("type")).isEqualTo("NodePort");
        assertThat(map(service, "spec").get("externalTrafficPolicy")).isEqualTo("Local");
        assertThat(servicePorts(service)).containsExactly(
                new ServicePort("http", 80, "http", 30080),
                new ServicePort("https", 443, "https", 30443));
    }

    @Test
    void theServicePortsAreThePortsTheGatewayTellsUpstreams() {
        // X-Forwarded-Port and redirects carry the ports clients connect to, the Service's, not the container's.
        Map<String, Object> gateway = map(applicationConfig(render(Map.of(
                "service.ports.http", 8000,
                "service.ports.https", 9443))), "ingress-gateway");

        assertThat(map(gateway, "listener").get("public-port")).isEqualTo(8000);
        assertThat(map(gateway, "tls").get("redirect-port")).isEqualTo(9443);
    }

    @Test
    void clusterIpServiceHasNoExternalTrafficSettings() {
        // The API server rejects externalTrafficPolicy and nodePort on ClusterIP Services.
        Map<String, Object> service = render(Map.of(
                "service.type", "ClusterIP",
                "service.nodePorts.http", 30080)).one("Service");

        assertThat(map(service, "spec")).doesNotContainKey("externalTrafficPolicy");
        assertThat(servicePorts(service)).extracting(ServicePort::nodePort).containsOnlyNulls();
    }

    @Test
    void invalidServiceTypeIsRejectedBySchema() {
        assertThatThrownBy(() -> render(Map.of("service.type", "Ingress")))
                .hasMessageContaining("service.type");
    }

    @Test
    void serviceTargetsAndProbesMatchContainerPortsAndApplicationPorts() {
        Manifests manifests = render(Map.of());
        Map<String, Object> container = gatewayContainer(manifests.one("Deployment"));
        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        for (Map<String, Object> port : maps(container, "ports")) {
            containerPorts.put((String) port.get("name"), (Integer) port.get("containerPort"));
        }
        Map<String, Object> app = applicationConfig(manifests);

        assertThat(containerPorts).containsExactly(
                Map.entry("http", 8080), Map.entry("https", 8443), Map.entry("management", 10254));
        assertThat(map(app, "server").get("port")).isEqualTo(containerPorts.get("http"));
        assertThat(map(map(app, "ingress-gateway"), "tls").get("port")).isEqualTo(containerPorts.get("https"));
        assertThat(map(map(app, "management"), "server").get("port")).isEqualTo(containerPorts.get("management"));
        assertThat(servicePorts(manifests.one("Service"))).extracting(ServicePort::targetPort)
                .allMatch(containerPorts::containsKey);

        assertThat(probe(container, "livenessProbe")).isEqualTo(new Probe("/actuator/health/liveness", "management", 1));
        assertThat(probe(container, "readinessProbe")).isEqualTo(new Probe("/actuator/health/readiness", "management", 1));
        assertThat(probe(container, "startupProbe").path()).isEqualTo("/actuator/health/liveness");
    }

    @Test
    void deploymentRunsHardenedAndReadsMountedConfiguration() {
        Manifests manifests = render(Map.of());
        Map<String, Object> deployment = manifests.one("Deployment");
        Map<String, Object> podSpec = podSpec(deployment);
        Map<String, Object> container = gatewayContainer(deployment);

        assertThat(map(deployment, "spec").get("replicas")).isEqualTo(2);
        assertThat(container.get("image")).isEqualTo("ghcr.io/ingress-gateway/ingress-gateway:0.1.0");
        assertThat(container.get("imagePullPolicy")).isEqualTo("IfNotPresent");
        assertThat(podSpec.get("serviceAccountName")).isEqualTo(FULLNAME);
        assertThat(podSpec.get("terminationGracePeriodSeconds")).isEqualTo(60);

        Map<String, Object> security = map(container, "securityContext");
        assertThat(security).containsEntry("runAsNonRoot", true)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false);
        assertThat(list(map(security, "capabilities"), "drop")).isEqualTo(List.of("ALL"));
        assertThat(map(security, "seccompProfile").get("type")).isEqualTo("RuntimeDefault");
        assertThat(map(podSpec, "securityContext").get("runAsNonRoot")).isEqualTo(true);

        Map<String, Object> env = new LinkedHashMap<>();
        for (Map<String, Object> var : maps(container, "env")) {
            env.put((String) var.get("name"), var.containsKey("value") ? var.get("value")
                    : map(map(var, "valueFrom"), "fieldRef").get("fieldPath"));
        }
        assertThat(env).containsEntry("POD_NAME", "metadata.name")
                .containsEntry("POD_NAMESPACE", "metadata.namespace")
                .containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "file:/config/");

        // /config must hold the ConfigMap's application.yaml, and /tmp must be writable despite the read-only root.
        Map<String, String> mounts = new LinkedHashMap<>();
        for (Map<String, Object> mount : maps(container, "volumeMounts")) {
            mounts.put((String) mount.get("mountPath"), (String) mount.get("name"));
        }
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Map<String, Object> volume : maps(podSpec, "volumes")) {
            volumes.put((String) volume.get("name"), volume);
        }
        Map<String, Object> configVolume = map(volumes.get(mounts.get("/config")), "configMap");
        assertThat(configVolume.get("name")).isEqualTo(name(manifests.one("ConfigMap")));
        assertThat(list(configVolume, "items")).containsExactly(Map.of("key", "application.yaml", "path", "application.yaml"));
        assertThat(volumes.get(mounts.get("/tmp"))).containsKey("emptyDir");

        Map<String, Object> antiAffinity = map(map(podSpec, "affinity"), "podAntiAffinity");
        assertThat(antiAffinity).containsOnlyKeys("preferredDuringSchedulingIgnoredDuringExecution");
        Map<String, Object> term = map(maps(antiAffinity, "preferredDuringSchedulingIgnoredDuringExecution").get(0),
                "podAffinityTerm");
        assertThat(term.get("topologyKey")).isEqualTo("kubernetes.io/hostname");
        assertThat(map(map(term, "labelSelector"), "matchLabels")).isEqualTo(selector(deployment));
    }

    @Test
    void selectorsOfServiceAndDisruptionBudgetMatchThePods() {
        Manifests manifests = render(Map.of());
        Map<String, Object> deployment = manifests.one("Deployment");
        Map<String, Object> podLabels = map(map(map(deployment, "spec"), "template"), "metadata");

        assertThat(map(podLabels, "labels")).containsAllEntriesOf(selector(deployment));
        assertThat(map(manifests.one("Service"), "spec").get("selector")).isEqualTo(selector(deployment));
        assertThat(map(map(manifests.one("PodDisruptionBudget"), "spec"), "selector").get("matchLabels"))
                .isEqualTo(selector(deployment));
    }

    @Test
    void podsRollWhenConfigurationChanges() {
        String before = configChecksum(render(Map.of()));
        String same = configChecksum(render(Map.of()));
        String after = configChecksum(render(Map.of("config.watchNamespaces[0]", "team-a")));

        assertThat(before).isNotBlank().isEqualTo(same).isNotEqualTo(after);
    }

    /** Verb by verb what the controller calls on namespaced kinds (informers never get; events are never patched). */
    private static final List<String> NAMESPACED_GRANTS = List.of(
            "networking.k8s.io/ingresses:list", "networking.k8s.io/ingresses:watch",
            "networking.k8s.io/ingresses/status:update",
            "/services:list", "/services:watch",
            "/secrets:list", "/secrets:watch",
            "/configmaps:list", "/configmaps:watch",
            "discovery.k8s.io/endpointslices:list", "discovery.k8s.io/endpointslices:watch",
            "/events:create");

    @Test
    void clusterRoleGrantsOnlyWhatTheControllerUses() {
        Manifests manifests = render(Map.of());
        Map<String, Object> clusterRole = manifests.one("ClusterRole");

        List<String> expected = new ArrayList<>(NAMESPACED_GRANTS);
        expected.addAll(List.of("networking.k8s.io/ingressclasses:list", "networking.k8s.io/ingressclasses:watch"));
        assertThat(grants(clusterRole)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(grants(clusterRole)).noneMatch(grant -> grant.endsWith(":get") || grant.endsWith(":patch"));
        assertThat(maps(clusterRole, "rules")).allSatisfy(rule -> assertThat(rule).doesNotContainKey("resourceNames"));

        assertBoundToServiceAccount(manifests.one("ClusterRoleBinding"), "ClusterRole", name(clusterRole), manifests);
        // Nothing but the leader's Lease and the publish Service is granted per namespace when watching all.
        assertThat(manifests.all("Role")).extracting(HelmChartTest::name)
                .containsExactlyInAnyOrder(FULLNAME, FULLNAME + "-publish-service");
    }

    @Test
    void watchedNamespacesGetRolesForTheirKindsAndNoSecretIsReadableElsewhere() {
        Manifests manifests = render(Map.of(
                "config.watchNamespaces[0]", "team-a",
                "config.watchNamespaces[1]", "team-b"));

        Map<String, Object> clusterRole = manifests.one("ClusterRole");
        assertThat(grants(clusterRole)).containsExactlyInAnyOrder(
                "networking.k8s.io/ingressclasses:list", "networking.k8s.io/ingressclasses:watch");

        List<Map<String, Object>> watchRoles = manifests.all("Role").stream()
                .filter(role -> name(role).equals(FULLNAME + "-watch")).toList();
        assertThat(watchRoles).extracting(role -> map(role, "metadata").get("namespace"))
                .containsExactlyInAnyOrder("team-a", "team-b");
        for (Map<String, Object> role : watchRoles) {
            assertThat(grants(role)).containsExactlyInAnyOrderElementsOf(NAMESPACED_GRANTS);
            Object namespace = map(role, "metadata").get("namespace");
            Map<String, Object> binding = manifests.all("RoleBinding").stream()
                    .filter(b -> name(b).equals(FULLNAME + "-watch")
                            && namespace.equals(map(b, "metadata").get("namespace")))
                    .findFirst().orElseThrow();
            assertBoundToServiceAccount(binding, "Role", FULLNAME + "-watch", manifests);
        }
        // Secrets: listed and watched in the watched namespaces only, read (get) nowhere.
        List<String> secretGrants = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            for (Map<String, Object> role : manifests.all(kind)) {
                grants(role).stream().filter(g -> g.startsWith("/secrets"))
                        .forEach(g -> secretGrants.add(map(role, "metadata").get("namespace") + " " + g));
            }
        }
        assertThat(secretGrants).containsExactlyInAnyOrder("team-a /secrets:list", "team-a /secrets:watch",
                "team-b /secrets:list", "team-b /secrets:watch");
        // ConfigMaps (custom-headers): likewise, in the watched namespaces only.
        List<String> configMapGrants = new ArrayList<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            for (Map<String, Object> role : manifests.all(kind)) {
                grants(role).stream().filter(g -> g.startsWith("/configmaps"))
                        .forEach(g -> configMapGrants.add(map(role, "metadata").get("namespace") + " " + g));
            }
        }
        assertThat(configMapGrants).containsExactlyInAnyOrder("team-a /configmaps:list", "team-a /configmaps:watch",
                "team-b /configmaps:list", "team-b /configmaps:watch");
    }

    @Test
    void thePublishServiceIsTheOnlyServiceReadByName() {
        Manifests manifests = render(Map.of("config.watchNamespaces[0]", "team-a"));
        Map<String, Object> role = manifests.all("Role").stream()
                .filter(r -> name(r).equals(FULLNAME + "-publish-service")).findFirst().orElseThrow();

        assertThat(map(role, "metadata").get("namespace")).isEqualTo(NAMESPACE);
        assertThat(grants(role)).containsExactly("/services[" + FULLNAME + "]:get");
        Map<String, Object> binding = manifests.all("RoleBinding").stream()
                .filter(b -> name(b).equals(FULLNAME + "-publish-service")).findFirst().orElseThrow();
        assertBoundToServiceAccount(binding, "Role", FULLNAME + "-publish-service", manifests);

        // With a fixed publish address no Service is ever read by name.
        assertThat(render(Map.of("config.status.publishAddress", "203.0.113.10")).all("Role"))
                .extracting(HelmChartTest::name).containsExactly(FULLNAME);
    }

    @Test
    void roleGrantsLeaderElectionOnTheReleaseLeaseOnly() {
        Manifests manifests = render(Map.of());
        Map<String, Object> role = manifests.all("Role").stream().filter(r -> name(r).equals(FULLNAME))
                .findFirst().orElseThrow();
        Map<String, Object> status = map(map(applicationConfig(manifests), "ingress-gateway"), "status");
        String lease = (String) status.get("lease-name");

        assertThat(map(role, "metadata").get("namespace")).isEqualTo(NAMESPACE);
        assertThat(status.get("lease-namespace")).isEqualTo(NAMESPACE);
        assertThat(lease).isEqualTo(FULLNAME + "-leader");
        assertThat(grants(role)).containsExactlyInAnyOrder(
                "coordination.k8s.io/leases:create",
                "coordination.k8s.io/leases[" + lease + "]:get",
                "coordination.k8s.io/leases[" + lease + "]:update",
                "coordination.k8s.io/leases[" + lease + "]:patch");

        Map<String, Object> binding = manifests.all("RoleBinding").stream().filter(b -> name(b).equals(FULLNAME))
                .findFirst().orElseThrow();
        assertThat(map(binding, "metadata").get("namespace")).isEqualTo(NAMESPACE);
        assertBoundToServiceAccount(binding, "Role", name(role), manifests);
    }

    @Test
    void ingressClassNamesOurController() {
        Manifests manifests = render(Map.of());
        Map<String, Object> ingressClass = manifests.one("IngressClass");
        Map<String, Object> gateway = map(applicationConfig(manifests), "ingress-gateway");

        assertThat(name(ingressClass)).isEqualTo("ingress-gateway").isEqualTo(gateway.get("ingress-class"));
        assertThat(map(ingressClass, "spec").get("controller"))
                .isEqualTo("ingress-gateway.io/controller").isEqualTo(gateway.get("controller-name"));
        assertThat(map(map(ingressClass, "metadata"), "annotations"))
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "false");
    }

    @Test
    void ingressClassCanBeRenamedAndMadeDefault() {
        Manifests manifests = render(Map.of("ingressClass.name", "edge", "ingressClass.default", true));
        Map<String, Object> ingressClass = manifests.one("IngressClass");

        assertThat(name(ingressClass)).isEqualTo("edge");
        assertThat(map(map(ingressClass, "metadata"), "annotations"))
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");
        assertThat(map(applicationConfig(manifests), "ingress-gateway").get("ingress-class")).isEqualTo("edge");
    }

    @Test
    void configMapCarriesApplicationSettings() {
        Map<String, Object> gateway = map(applicationConfig(render(Map.of())), "ingress-gateway");

        assertThat(gateway).containsEntry("source", "kubernetes")
                .containsEntry("ingress-class", "ingress-gateway")
                .containsEntry("controller-name", "ingress-gateway.io/controller")
                .containsEntry("watch-namespaces", List.of());
        assertThat(map(gateway, "status"))
                .containsEntry("publish-service", NAMESPACE + "/" + FULLNAME)
                .containsEntry("publish-address", "")
                .containsEntry("lease-namespace", NAMESPACE)
                .containsEntry("identity", "${POD_NAME:}");
    }

    @Test
    void configMapTakesOverridesAndExtraProperties() {
        Map<String, Object> app = applicationConfig(render(Map.of(
                "config.watchNamespaces[0]", "team-a",
                "config.watchNamespaces[1]", "team-b",
                "config.status.publishAddress", "203.0.113.10",
                "config.extra.ingress-gateway.default-backend-service", "default/fallback:80",
                "config.extra.ingress-gateway.source", "manifests",
                "config.extra.logging.level.io\\.ingressgateway", "DEBUG")));
        Map<String, Object> gateway = map(app, "ingress-gateway");

        assertThat(gateway).containsEntry("watch-namespaces", List.of("team-a", "team-b"))
                .containsEntry("default-backend-service", "default/fallback:80")
                .containsEntry("source", "manifests")
                .containsEntry("controller-name", "ingress-gateway.io/controller");
        assertThat(map(gateway, "status")).containsEntry("publish-address", "203.0.113.10")
                .containsEntry("publish-service", NAMESPACE + "/" + FULLNAME);
        assertThat(map(map(app, "logging"), "level")).containsEntry("io.ingressgateway", "DEBUG");
    }

    @Test
    void managementPortDefaultsTellLittleAndAreConfigurable() {
        Map<String, Object> management = map(applicationConfig(render(Map.of())), "management");
        assertThat(map(management, "server")).containsEntry("port", 10254).doesNotContainKey("address");
        assertThat(map(map(management, "endpoint"), "health")).containsEntry("show-details", "never");
        assertThat(map(map(map(management, "endpoints"), "web"), "exposure"))
                .containsEntry("include", "health,info,prometheus,ingresses");
        assertThat(map(map(applicationConfig(render(Map.of())), "ingress-gateway"), "ops"))
                .containsEntry("ingresses-detail", "summary");

        Map<String, Object> app = applicationConfig(render(Map.of(
                "management.address", "10.1.2.3",
                "management.healthDetails", "always",
                "management.ingressesDetail", "full",
                "management.exposure[0]", "health",
                "management.exposure[1]", "gateway")));
        assertThat(map(map(app, "management"), "server")).containsEntry("address", "10.1.2.3");
        assertThat(map(map(map(app, "management"), "endpoint"), "health")).containsEntry("show-details", "always");
        assertThat(map(map(map(map(app, "management"), "endpoints"), "web"), "exposure"))
                .containsEntry("include", "health,gateway");
        assertThat(map(map(app, "ingress-gateway"), "ops")).containsEntry("ingresses-detail", "full");
        assertThatThrownBy(() -> render(Map.of("management.ingressesDetail", "everything")))
                .hasMessageContaining("ingressesDetail");
    }

    @Test
    void tenantSettingsReachTheApplication() {
        Map<String, Object> gateway = map(applicationConfig(render(Map.of(
                "config.defaultBackendPrecedence", "configured",
                "config.hostOwnership[0].namespaces[0]", "team-a",
                "config.hostOwnership[0].hosts[0]", "*.team-a.example.com"))), "ingress-gateway");

        assertThat(gateway).containsEntry("default-backend-precedence", "configured")
                .containsEntry("host-ownership", List.of(Map.of("namespaces", List.of("team-a"),
                        "hosts", List.of("*.team-a.example.com"))));
        assertThat(map(applicationConfig(render(Map.of())), "ingress-gateway"))
                .containsEntry("default-backend-precedence", "ingress").containsEntry("host-ownership", List.of());
    }

    @Test
    void clientAddressAndSourceRangeSettingsReachTheApplication() {
        Map<String, Object> gateway = map(applicationConfig(render(Map.of(
                "config.clientAddress.useProxyProtocol", true,
                "config.clientAddress.useForwardedHeaders", true,
                "config.clientAddress.proxyRealIpCidr[0]", "10.0.0.0/8",
                "config.sourceRanges.denylist[0]", "192.0.2.0/24"))), "ingress-gateway");

        assertThat(map(gateway, "client-address")).containsEntry("use-proxy-protocol", true)
                .containsEntry("use-forwarded-headers", true).containsEntry("forwarded-for-header", "X-Forwarded-For")
                .containsEntry("compute-full-forwarded-for", false)
                .containsEntry("proxy-real-ip-cidr", List.of("10.0.0.0/8"));
        assertThat(map(gateway, "source-ranges")).containsEntry("allowlist", List.of())
                .containsEntry("denylist", List.of("192.0.2.0/24"));
        assertThat(map(map(applicationConfig(render(Map.of())), "ingress-gateway"), "client-address"))
                .containsEntry("use-proxy-protocol", false).containsEntry("use-forwarded-headers", false)
                .containsEntry("proxy-real-ip-cidr", List.of());
    }

    @Test
    void networkPolicyIsOffByDefault() {
        assertThat(render(Map.of()).all("NetworkPolicy")).isEmpty();
    }

    @Test
    void networkPolicyOpensTrafficPortsToAllAndTheManagementPortToPrometheusAndNodesOnly() {
        Manifests manifests = render(Map.of(
                "networkPolicy.enabled", true,
                "networkPolicy.management.nodeCIDRs[0]", "10.0.0.0/16"));
        Map<String, Object> policy = manifests.one("NetworkPolicy");
        Map<String, Object> spec = map(policy, "spec");

        assertThat(map(policy, "metadata").get("namespace")).isEqualTo(NAMESPACE);
        assertThat(map(map(spec, "podSelector"), "matchLabels")).isEqualTo(selector(manifests.one("Deployment")));
        assertThat(list(spec, "policyTypes")).containsExactly("Ingress");
        List<Map<String, Object>> rules = maps(spec, "ingress");
        assertThat(rules).hasSize(2);

        Map<String, Object> traffic = rules.get(0);
        assertThat(traffic).doesNotContainKey("from");
        assertThat(maps(traffic, "ports")).extracting(p -> p.get("port")).containsExactly(8080, 8443);

        Map<String, Object> management = rules.get(1);
        assertThat(maps(management, "ports")).extracting(p -> p.get("port")).containsExactly(10254);
        List<Map<String, Object>> from = maps(management, "from");
        assertThat(from).hasSize(2);
        assertThat(map(map(from.get(0), "namespaceSelector"), "matchLabels"))
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
        assertThat(map(map(from.get(0), "podSelector"), "matchLabels"))
                .isEqualTo(Map.of("app.kubernetes.io/name", "prometheus"));
        assertThat(map(from.get(1), "ipBlock")).isEqualTo(Map.of("cidr", "10.0.0.0/16"));
    }

    @Test
    void networkPolicyWithoutManagementSourcesClosesTheManagementPort() {
        Map<String, Object> spec = map(render(Map.of(
                "networkPolicy.enabled", true,
                "networkPolicy.management.prometheus.namespaceLabels", "null",
                "networkPolicy.management.prometheus.podLabels", "null")).one("NetworkPolicy"), "spec");

        // Only the traffic ports are allowed; the kubelet still probes (a pod's own node is always allowed).
        assertThat(maps(spec, "ingress")).singleElement()
                .satisfies(rule -> assertThat(maps(rule, "ports")).extracting(p -> p.get("port"))
                        .containsExactly(8080, 8443));
    }

    @Test
    void externalNameServicesAreOffByDefaultAndTakeTheirRanges() {
        Map<String, Object> byDefault = map(map(applicationConfig(render(Map.of())), "ingress-gateway"),
                "external-name-services");
        Map<String, Object> enabled = map(map(applicationConfig(render(Map.of(
                "config.externalNameServices.enabled", true,
                "config.externalNameServices.deniedCidrs[0]", "10.244.0.0/16",
                "config.externalNameServices.deniedCidrs[1]", "10.96.0.0/12",
                "config.externalNameServices.allowedCidrs[0]", "10.96.0.10/32"))), "ingress-gateway"),
                "external-name-services");

        assertThat(byDefault).containsEntry("enabled", false).containsEntry("denied-cidrs", List.of())
                .containsEntry("allowed-cidrs", List.of());
        assertThat(enabled).containsEntry("enabled", true)
                .containsEntry("denied-cidrs", List.of("10.244.0.0/16", "10.96.0.0/12"))
                .containsEntry("allowed-cidrs", List.of("10.96.0.10/32"));
    }

    @Test
    void globalRateLimitsAreOffByDefaultAndTakeRedisWithItsPasswordFromASecret() {
        Manifests byDefault = render(Map.of());
        Manifests configured = render(Map.of(
                "config.globalRateLimit.redis.url", "redis://redis.infra.svc:6379/0",
                "config.globalRateLimit.redis.passwordSecret.name", "redis-auth",
                "config.globalRateLimit.failureMode", "closed",
                "config.globalRateLimit.statusCode", 503));

        Map<String, Object> off = map(map(applicationConfig(byDefault), "ingress-gateway"), "global-rate-limit");
        assertThat(map(off, "redis")).containsEntry("url", "").containsEntry("operation-timeout", "100ms");
        assertThat(off).containsEntry("failure-mode", "open").containsEntry("status-code", 429);
        assertThat(list(gatewayContainer(byDefault.one("Deployment")), "env"))
                .noneMatch(env -> "INGRESSGATEWAY_GLOBALRATELIMIT_REDIS_PASSWORD".equals(((Map<?, ?>) env).get("name")));

        Map<String, Object> on = map(map(applicationConfig(configured), "ingress-gateway"), "global-rate-limit");
        assertThat(map(on, "redis")).containsEntry("url", "redis://redis.infra.svc:6379/0");
        assertThat(on).containsEntry("failure-mode", "closed").containsEntry("status-code", 503);
        // The password never lands in the ConfigMap: it comes from the Secret, by environment variable.
        assertThat(list(gatewayContainer(configured.one("Deployment")), "env")).anySatisfy(env -> assertThat(env)
                .isEqualTo(Map.of("name", "INGRESSGATEWAY_GLOBALRATELIMIT_REDIS_PASSWORD", "valueFrom",
                        Map.of("secretKeyRef", Map.of("name", "redis-auth", "key", "password")))));
    }

    @Test
    void rateLimitStatusesAreIngressNginxsByDefaultAndSettable() {
        Map<String, Object> byDefault = map(map(applicationConfig(render(Map.of())), "ingress-gateway"),
                "rate-limits");
        Map<String, Object> set = map(map(applicationConfig(render(Map.of(
                "config.rateLimits.limitReqStatusCode", 429,
                "config.rateLimits.limitConnStatusCode", 429,
                "config.rateLimits.maxClientStates", 5000))), "ingress-gateway"), "rate-limits");

        assertThat(byDefault).containsEntry("limit-req-status-code", 503).containsEntry("limit-conn-status-code", 503)
                .containsEntry("max-client-states", 100000);
        assertThat(set).containsEntry("limit-req-status-code", 429).containsEntry("limit-conn-status-code", 429)
                .containsEntry("max-client-states", 5000);
    }

    @Test
    void disruptionBudgetKeepsOnePodByDefaultOrUsesMaxUnavailable() {
        Map<String, Object> byDefault = map(render(Map.of()).one("PodDisruptionBudget"), "spec");
        Map<String, Object> withMax = map(render(Map.of("podDisruptionBudget.maxUnavailable", "25%"))
                .one("PodDisruptionBudget"), "spec");

        assertThat(byDefault).containsEntry("minAvailable", 1).doesNotContainKey("maxUnavailable");
        assertThat(withMax).containsEntry("maxUnavailable", "25%").doesNotContainKey("minAvailable");
        assertThat(render(Map.of("podDisruptionBudget.enabled", false)).all("PodDisruptionBudget")).isEmpty();
    }

    // --- issue 14: production options ---

    @Test
    void schemaDescribesEveryValue() throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Map<String, Object> values = yaml.load(Files.readString(CHART.resolve("values.yaml")));
        Map<String, Object> schema = yaml.load(Files.readString(CHART.resolve("values.schema.json")));

        List<String> undescribed = new ArrayList<>();
        collectUndescribed(values, schema, schema, "", undescribed);

        assertThat(undescribed).as("values.yaml keys with no constraint in values.schema.json").isEmpty();
    }

    static Stream<Arguments> newValuesOfTheWrongType() {
        return Stream.of(
                Arguments.of("controller.kind", "StatefulSet"),
                Arguments.of("hostNetwork", "yes"),
                Arguments.of("dnsPolicy", "Cluster"),
                Arguments.of("hostPort.enabled", "yes"),
                Arguments.of("hostPort.ports.http", 70000),
                Arguments.of("autoscaling.enabled", "yes"),
                Arguments.of("autoscaling.minReplicas", "two"),
                Arguments.of("autoscaling.maxReplicas", 0),
                Arguments.of("autoscaling.targetCPUUtilizationPercentage", "high"),
                Arguments.of("autoscaling.customMetric.averageValue", "lots"),
                Arguments.of("topologySpreadConstraints[0].whenUnsatisfiable", "Sometimes"),
                Arguments.of("shutdown.drainPeriodSeconds", "ten"),
                Arguments.of("shutdown.preStopSleepSeconds", -1),
                Arguments.of("shutdown.inFlightTimeoutSeconds", "thirty"),
                Arguments.of("terminationGracePeriodSeconds", "soon"),
                Arguments.of("accessLog.format", "xml"),
                Arguments.of("resources.requests", "lots"),
                Arguments.of("metrics.serviceMonitor.enabled", "yes"),
                Arguments.of("metrics.serviceMonitor.interval", "often"),
                Arguments.of("metrics.podMonitor.enabled", "yes"),
                Arguments.of("metrics.podMonitor.scrapeTimeout", "10 seconds"),
                Arguments.of("metrics.grafanaDashboard.enabled", "yes"),
                Arguments.of("metrics.grafanaDashboard.labels", "grafana"));
    }

    @ParameterizedTest
    @MethodSource("newValuesOfTheWrongType")
    void schemaRejectsNewValuesOfTheWrongType(String key, Object value) {
        // Helm names the value as a dotted path, list indexes included: topologySpreadConstraints.0.maxSkew.
        String path = key.replaceAll("\\[(\\d+)]", ".$1");
        assertThatThrownBy(() -> render(Map.of(key, value))).hasMessageContaining("schema")
                .hasMessageContaining("- " + path + ":");
    }

    @Test
    void autoscalerIsOffByDefaultAndTheDeploymentKeepsItsReplicas() {
        Manifests manifests = render(Map.of("replicaCount", 3));

        assertThat(manifests.all("HorizontalPodAutoscaler")).isEmpty();
        assertThat(map(manifests.one("Deployment"), "spec")).containsEntry("replicas", 3);
    }

    @Test
    void autoscalerScalesTheDeploymentOnCpuAndACustomPodsMetricAndOwnsItsReplicas() {
        Manifests cpuOnly = render(Map.of("autoscaling.enabled", true));
        Map<String, Object> deployment = cpuOnly.one("Deployment");
        Map<String, Object> hpa = map(cpuOnly.one("HorizontalPodAutoscaler"), "spec");

        assertThat(cpuOnly.one("HorizontalPodAutoscaler").get("apiVersion")).isEqualTo("autoscaling/v2");
        // A replicas field would make every helm upgrade reset the count the autoscaler chose.
        assertThat(map(deployment, "spec")).doesNotContainKey("replicas");
        assertThat(map(hpa, "scaleTargetRef")).isEqualTo(Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "name", name(deployment)));
        assertThat(hpa).containsEntry("minReplicas", 2).containsEntry("maxReplicas", 10).doesNotContainKey("behavior");
        assertThat(maps(hpa, "metrics")).containsExactly(Map.of("type", "Resource", "resource", Map.of("name", "cpu",
                "target", Map.of("type", "Utilization", "averageUtilization", 70))));

        Map<String, Object> withCustom = map(render(Map.of(
                "autoscaling.enabled", true,
                "autoscaling.minReplicas", 3,
                "autoscaling.maxReplicas", 20,
                "autoscaling.targetCPUUtilizationPercentage", 60,
                "autoscaling.customMetric.name", "ingress_gateway_requests_per_second",
                "autoscaling.customMetric.averageValue", 500,
                "autoscaling.behavior.scaleDown.stabilizationWindowSeconds", 600))
                .one("HorizontalPodAutoscaler"), "spec");
        assertThat(withCustom).containsEntry("minReplicas", 3).containsEntry("maxReplicas", 20)
                .containsEntry("behavior", Map.of("scaleDown", Map.of("stabilizationWindowSeconds", 600)));
        assertThat(maps(withCustom, "metrics")).containsExactly(
                Map.of("type", "Resource", "resource", Map.of("name", "cpu",
                        "target", Map.of("type", "Utilization", "averageUtilization", 60))),
                Map.of("type", "Pods", "pods", Map.of(
                        "metric", Map.of("name", "ingress_gateway_requests_per_second"),
                        "target", Map.of("type", "AverageValue", "averageValue", "500"))));

        Map<String, Object> customOnly = map(render(Map.of(
                "autoscaling.enabled", true,
                "autoscaling.targetCPUUtilizationPercentage", 0,
                "autoscaling.customMetric.name", "ingress_gateway_requests_per_second",
                "autoscaling.customMetric.averageValue", "1k")).one("HorizontalPodAutoscaler"), "spec");
        assertThat(maps(customOnly, "metrics")).extracting(m -> m.get("type")).containsExactly("Pods");
    }

    @Test
    void autoscalerRefusesADaemonSetMinimumAboveMaximumAndACustomMetricWithoutTarget() {
        assertThatThrownBy(() -> render(Map.of("autoscaling.enabled", true, "controller.kind", "DaemonSet")))
                .hasMessageContaining("autoscaling.enabled needs controller.kind Deployment");
        assertThatThrownBy(() -> render(Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 5,
                "autoscaling.maxReplicas", 3))).hasMessageContaining("exceeds autoscaling.maxReplicas");
        assertThatThrownBy(() -> render(Map.of("autoscaling.enabled", true,
                "autoscaling.customMetric.name", "rps"))).hasMessageContaining("averageValue is required");
    }

    @Test
    void podsSpreadOverZonesAndNodesByDefaultWithoutEverStayingPending() {
        Map<String, Object> deployment = render(Map.of()).one("Deployment");

        assertThat(maps(podSpec(deployment), "topologySpreadConstraints")).containsExactly(
                Map.of("maxSkew", 1, "topologyKey", "topology.kubernetes.io/zone",
                        "whenUnsatisfiable", "ScheduleAnyway", "labelSelector", Map.of("matchLabels", selector(deployment))),
                Map.of("maxSkew", 1, "topologyKey", "kubernetes.io/hostname",
                        "whenUnsatisfiable", "ScheduleAnyway", "labelSelector", Map.of("matchLabels", selector(deployment))));
    }

    @Test
    void topologySpreadCanBeReplacedOrDisabled() {
        Map<String, Object> replaced = podSpec(render(Map.of(
                "topologySpreadConstraints[0].maxSkew", 2,
                "topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/region",
                "topologySpreadConstraints[0].whenUnsatisfiable", "DoNotSchedule",
                "topologySpreadConstraints[0].labelSelector.matchLabels.tier", "edge")).one("Deployment"));
        // --set on a list replaces the whole list: the default zone and node constraints are gone.
        assertThat(maps(replaced, "topologySpreadConstraints")).containsExactly(Map.of("maxSkew", 2,
                "topologyKey", "topology.kubernetes.io/region", "whenUnsatisfiable", "DoNotSchedule",
                "labelSelector", Map.of("matchLabels", Map.of("tier", "edge"))));

        assertThat(podSpec(render(Map.of("topologySpreadConstraints", "null")).one("Deployment")))
                .doesNotContainKey("topologySpreadConstraints");
    }

    @Test
    void schedulingSettingsChooseTheNodesOfADaemonSet() {
        Map<String, Object> podSpec = podSpec(render(Map.of(
                "controller.kind", "DaemonSet",
                "nodeSelector.topology\\.kubernetes\\.io/zone", "eu-west-1a",
                "tolerations[0].key", "edge",
                "tolerations[0].operator", "Exists",
                "tolerations[0].effect", "NoSchedule",
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].key", "edge",
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                        + ".matchExpressions[0].operator", "Exists")).one("DaemonSet"));

        assertThat(podSpec.get("nodeSelector")).isEqualTo(Map.of("topology.kubernetes.io/zone", "eu-west-1a"));
        assertThat(list(podSpec, "tolerations")).containsExactly(
                Map.of("key", "edge", "operator", "Exists", "effect", "NoSchedule"));
        assertThat(map(podSpec, "affinity")).containsOnlyKeys("nodeAffinity");
    }

    @Test
    void resourcesRequestACoreForEachEventLoopTheJvmRunsAndKeepTheHeapInsideTheMemoryLimit() {
        Map<String, Object> container = gatewayContainer(render(Map.of()).one("Deployment"));
        Map<String, Object> resources = map(container, "resources");
        String javaToolOptions = env(container).get("JAVA_TOOL_OPTIONS").toString();

        // Memory: requested as much as the limit (never evicted first); the heap is half of that limit, the other
        // half for what is not heap, and G1 named since the JVM would pick the serial collector below 1792 MiB.
        assertThat(map(resources, "requests").get("memory")).isEqualTo(map(resources, "limits").get("memory"))
                .isEqualTo("1Gi");
        assertThat(javaToolOptions).contains("-XX:MaxRAMPercentage=50.0", "-XX:+UseG1GC");
        // CPU: no limit (throttling stalls event loops); the JVM sees as many processors as the pod requests, so
        // the event loops (one per processor) each have a requested core rather than one per core of the node.
        assertThat(map(resources, "limits")).doesNotContainKey("cpu");
        assertThat(map(resources, "requests").get("cpu")).isEqualTo("2");
        assertThat(javaToolOptions).contains("-XX:ActiveProcessorCount=2");
    }

    @Test
    void daemonSetRunsOnEveryAdmittedNodeWithoutReplicasBudgetAutoscalerOrSpread() {
        Manifests manifests = render(Map.of("controller.kind", "DaemonSet"));
        Map<String, Object> daemonSet = manifests.one("DaemonSet");
        Map<String, Object> spec = map(daemonSet, "spec");

        assertThat(manifests.all("Deployment")).isEmpty();
        assertThat(manifests.all("PodDisruptionBudget")).isEmpty();
        assertThat(manifests.all("HorizontalPodAutoscaler")).isEmpty();
        assertThat(spec).doesNotContainKeys("replicas", "strategy");
        // Without node ports a new pod can start beside the old one on each node.
        assertThat(map(spec, "updateStrategy")).isEqualTo(Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("maxSurge", 1, "maxUnavailable", 0)));
        assertThat(podSpec(daemonSet)).doesNotContainKeys("topologySpreadConstraints", "affinity", "hostNetwork");
        assertThat(map(manifests.one("Service"), "spec").get("selector")).isEqualTo(selector(daemonSet));
        assertThat(gatewayContainer(daemonSet).get("image")).isEqualTo(gatewayContainer(
                render(Map.of()).one("Deployment")).get("image"));
    }

    @Test
    void hostNetworkResolvesClusterNamesKeepsManagementOnTheNodeAddressAndReplacesPodsOneAtATime() {
        Map<String, Object> daemonSet = render(Map.of("controller.kind", "DaemonSet", "hostNetwork", true))
                .one("DaemonSet");
        Map<String, Object> podSpec = podSpec(daemonSet);

        assertThat(podSpec).containsEntry("hostNetwork", true).containsEntry("dnsPolicy", "ClusterFirstWithHostNet");
        assertThat(env(gatewayContainer(daemonSet))).containsEntry("MANAGEMENT_SERVER_ADDRESS", "status.hostIP");
        assertThat(map(map(daemonSet, "spec"), "updateStrategy")).isEqualTo(Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("maxSurge", 0, "maxUnavailable", 1)));

        Map<String, Object> deployment = render(Map.of("hostNetwork", true, "management.address", "10.0.0.1",
                "dnsPolicy", "Default")).one("Deployment");
        assertThat(podSpec(deployment)).containsEntry("dnsPolicy", "Default");
        assertThat(env(gatewayContainer(deployment))).doesNotContainKey("MANAGEMENT_SERVER_ADDRESS");
        assertThat(map(map(deployment, "spec"), "strategy")).isEqualTo(Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("maxSurge", 0, "maxUnavailable", 1)));

        Map<String, Object> byDefault = render(Map.of()).one("Deployment");
        assertThat(podSpec(byDefault)).doesNotContainKeys("hostNetwork", "dnsPolicy");
        assertThat(env(gatewayContainer(byDefault))).doesNotContainKey("MANAGEMENT_SERVER_ADDRESS");
        assertThat(map(map(byDefault, "spec"), "strategy")).isEqualTo(Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("maxSurge", 1, "maxUnavailable", 0)));
    }

    @Test
    void givenUpdateStrategyReplacesTheChartsChoice() {
        Map<String, Object> deployment = render(Map.of(
                "controller.updateStrategy.type", "RollingUpdate",
                "controller.updateStrategy.rollingUpdate.maxSurge", "25%",
                "controller.updateStrategy.rollingUpdate.maxUnavailable", 0)).one("Deployment");
        Map<String, Object> daemonSet = render(Map.of("controller.kind", "DaemonSet",
                "controller.updateStrategy.type", "OnDelete")).one("DaemonSet");

        assertThat(map(map(deployment, "spec"), "strategy")).isEqualTo(Map.of("type", "RollingUpdate",
                "rollingUpdate", Map.of("maxSurge", "25%", "maxUnavailable", 0)));
        assertThat(map(map(daemonSet, "spec"), "updateStrategy")).isEqualTo(Map.of("type", "OnDelete"));
    }

    @Test
    void hostPortMapsNodePortsToTheTrafficPortsOnly() {
        Map<String, Object> container = gatewayContainer(render(Map.of("controller.kind", "DaemonSet",
                "hostPort.enabled", true)).one("DaemonSet"));
        Map<String, Object> hostPorts = new LinkedHashMap<>();
        for (Map<String, Object> port : maps(container, "ports")) {
            hostPorts.put((String) port.get("name"), port.get("hostPort"));
        }

        assertThat(hostPorts).containsOnlyKeys("http", "https", "management")
                .containsEntry("http", 80).containsEntry("https", 443).containsEntry("management", null);
        assertThat(maps(gatewayContainer(render(Map.of()).one("Deployment")), "ports"))
                .allSatisfy(port -> assertThat(port).doesNotContainKey("hostPort"));
        assertThatThrownBy(() -> render(Map.of("hostPort.enabled", true, "hostNetwork", true)))
                .hasMessageContaining("hostPort.enabled and hostNetwork exclude each other");
    }

    @Test
    void networkPolicyTakesExtraManagementPeersAndWholeNamespaces() {
        Map<String, Object> spec = map(render(Map.of(
                "networkPolicy.enabled", true,
                "networkPolicy.management.prometheus.podLabels", "null",
                "networkPolicy.management.extraFrom[0].podSelector.matchLabels.app", "debug")).one("NetworkPolicy"),
                "spec");

        List<Map<String, Object>> from = maps(maps(spec, "ingress").get(1), "from");
        // Any pod of the monitoring namespace, and the extra peer.
        assertThat(from).containsExactly(
                Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring"))),
                Map.of("podSelector", Map.of("matchLabels", Map.of("app", "debug"))));
    }

    @Test
    void monitorsAndDashboardAreOffByDefault() {
        Manifests manifests = render(Map.of());

        assertThat(manifests.all("ServiceMonitor")).isEmpty();
        assertThat(manifests.all("PodMonitor")).isEmpty();
        assertThat(manifests.all("Service")).hasSize(1);
        assertThat(manifests.all("ConfigMap")).hasSize(1);
    }

    @Test
    void serviceMonitorScrapesThePrometheusEndpointThroughAManagementOnlyService() {
        Manifests manifests = render(Map.of(
                "metrics.serviceMonitor.enabled", true,
                "metrics.serviceMonitor.namespace", "monitoring",
                "metrics.serviceMonitor.labels.release", "kube-prometheus-stack",
                "metrics.serviceMonitor.interval", "15s",
                "metrics.serviceMonitor.scrapeTimeout", "10s"));
        Map<String, Object> monitor = manifests.one("ServiceMonitor");
        Map<String, Object> metricsService = manifests.all("Service").stream()
                .filter(s -> name(s).equals(FULLNAME + "-metrics")).findFirst().orElseThrow();
        Map<String, Object> trafficService = manifests.all("Service").stream()
                .filter(s -> name(s).equals(FULLNAME)).findFirst().orElseThrow();

        assertThat(monitor.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat(map(monitor, "metadata")).containsEntry("namespace", "monitoring");
        assertThat(map(map(monitor, "metadata"), "labels")).containsEntry("release", "kube-prometheus-stack");
        Map<String, Object> spec = map(monitor, "spec");
        assertThat(map(spec, "namespaceSelector")).isEqualTo(Map.of("matchNames", List.of(NAMESPACE)));
        assertThat(maps(spec, "endpoints")).containsExactly(Map.of("port", "management",
                "path", "/actuator/prometheus", "scheme", "http", "honorLabels", true, "interval", "15s",
                "scrapeTimeout", "10s"));

        // The monitor selects the metrics Service alone, which exposes the management port alone, of the gateway pods.
        Map<String, Object> wanted = map(map(spec, "selector"), "matchLabels");
        assertThat(map(map(metricsService, "metadata"), "labels")).containsAllEntriesOf(wanted);
        Map<String, Object> trafficLabels = map(map(trafficService, "metadata"), "labels");
        assertThat(wanted.entrySet()).as("the traffic Service is not selected")
                .anyMatch(label -> !label.getValue().equals(trafficLabels.get(label.getKey())));
        assertThat(map(metricsService, "spec")).containsEntry("type", "ClusterIP")
                .containsEntry("selector", selector(manifests.one("Deployment")));
        assertThat(servicePorts(metricsService)).containsExactly(
                new ServicePort("management", 10254, "management", null));
        assertThat(servicePorts(trafficService)).extracting(ServicePort::name).containsExactly("http", "https");
    }

    @Test
    void podMonitorScrapesThePodsManagementPortDirectly() {
        Manifests manifests = render(Map.of(
                "metrics.podMonitor.enabled", true,
                "metrics.podMonitor.metricRelabelings[0].action", "drop",
                "metrics.podMonitor.metricRelabelings[0].regex", "jvm_.*",
                "metrics.podMonitor.metricRelabelings[0].sourceLabels[0]", "__name__"));
        Map<String, Object> monitor = manifests.one("PodMonitor");
        Map<String, Object> spec = map(monitor, "spec");

        assertThat(map(monitor, "metadata")).containsEntry("namespace", NAMESPACE);
        assertThat(map(map(spec, "selector"), "matchLabels")).isEqualTo(selector(manifests.one("Deployment")));
        assertThat(map(spec, "namespaceSelector")).isEqualTo(Map.of("matchNames", List.of(NAMESPACE)));
        assertThat(maps(spec, "podMetricsEndpoints")).containsExactly(Map.of("port", "management",
                "path", "/actuator/prometheus", "scheme", "http", "honorLabels", true, "interval", "30s",
                "metricRelabelings", List.of(Map.of("action", "drop", "regex", "jvm_.*",
                        "sourceLabels", List.of("__name__")))));
        // The named port exists on the container, and no extra Service is needed.
        assertThat(maps(gatewayContainer(manifests.one("Deployment")), "ports")).extracting(p -> p.get("name"))
                .contains("management");
        assertThat(manifests.all("Service")).hasSize(1);
    }

    @Test
    void monitorsThatWouldScrapeTwiceOrFindNoEndpointAreRefused() {
        assertThatThrownBy(() -> render(Map.of("metrics.serviceMonitor.enabled", true,
                "metrics.podMonitor.enabled", true))).hasMessageContaining("enable one");
        assertThatThrownBy(() -> render(Map.of("metrics.podMonitor.enabled", true,
                "management.exposure[0]", "health"))).hasMessageContaining("prometheus in management.exposure");
    }

    @Test
    void grafanaDashboardConfigMapCarriesTheSidecarLabelAndTheChartsDashboard() throws IOException {
        Manifests manifests = render(Map.of(
                "metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.namespace", "monitoring",
                "metrics.grafanaDashboard.annotations.grafana_folder", "Ingress"));
        Map<String, Object> dashboard = manifests.all("ConfigMap").stream()
                .filter(c -> name(c).equals(FULLNAME + "-dashboard")).findFirst().orElseThrow();
        String json = Files.readString(CHART.resolve("dashboards/ingress-gateway.json"));

        assertThat(map(dashboard, "metadata")).containsEntry("namespace", "monitoring")
                .containsEntry("annotations", Map.of("grafana_folder", "Ingress"));
        assertThat(map(map(dashboard, "metadata"), "labels")).containsEntry("grafana_dashboard", "1");
        Map<String, Object> data = map(dashboard, "data");
        assertThat(data).containsOnlyKeys("ingress-gateway.json");
        assertThat(data.get("ingress-gateway.json")).isEqualTo(json.strip());
        Map<String, Object> parsed = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load((String) data.get("ingress-gateway.json"));
        assertThat(parsed).containsEntry("title", "Ingress Gateway");

        Map<String, Object> otherLabel = render(Map.of(
                "metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.label", "dashboards",
                "metrics.grafanaDashboard.labelValue", "gateway")).all("ConfigMap").stream()
                .filter(c -> name(c).equals(FULLNAME + "-dashboard")).findFirst().orElseThrow();
        assertThat(map(otherLabel, "metadata")).containsEntry("namespace", NAMESPACE);
        assertThat(map(map(otherLabel, "metadata"), "labels")).containsEntry("dashboards", "gateway")
                .doesNotContainKey("grafana_dashboard");
    }

    @Test
    void shutdownGivesAPreStopSleepAndTheAppItsDrainWithinAGracePeriodCoveringAllPhases() {
        Manifests manifests = render(Map.of());
        Map<String, Object> app = applicationConfig(manifests);
        Map<String, Object> container = gatewayContainer(manifests.one("Deployment"));

        assertThat(map(map(app, "ingress-gateway"), "shutdown")).containsEntry("drain-period", "10s");
        assertThat(map(map(app, "spring"), "lifecycle")).containsEntry("timeout-per-shutdown-phase", "30s");
        // A native sleep handler: the image has no shell to run `sleep` in.
        assertThat(map(container, "lifecycle")).isEqualTo(Map.of("preStop", Map.of("sleep", Map.of("seconds", 5))));
        // The preStop sleep, the drain and the in-flight wait all run before SIGKILL, plus a margin for the JVM.
        assertThat(podSpec(manifests.one("Deployment")).get("terminationGracePeriodSeconds"))
                .isEqualTo(5 + 10 + 30 + 15);

        Manifests longer = render(Map.of(
                "shutdown.drainPeriodSeconds", 20,
                "shutdown.preStopSleepSeconds", 8,
                "shutdown.inFlightTimeoutSeconds", 60));
        assertThat(map(map(applicationConfig(longer), "ingress-gateway"), "shutdown"))
                .containsEntry("drain-period", "20s");
        assertThat(map(map(applicationConfig(longer), "spring"), "lifecycle"))
                .containsEntry("timeout-per-shutdown-phase", "60s");
        assertThat(map(gatewayContainer(longer.one("Deployment")), "lifecycle"))
                .isEqualTo(Map.of("preStop", Map.of("sleep", Map.of("seconds", 8))));
        assertThat(podSpec(longer.one("Deployment")).get("terminationGracePeriodSeconds")).isEqualTo(8 + 20 + 60 + 15);
    }

    @Test
    void explicitGracePeriodIsKeptWhenItCoversTheShutdownAndRefusedWhenShorter() {
        assertThat(podSpec(render(Map.of("terminationGracePeriodSeconds", 300)).one("Deployment"))
                .get("terminationGracePeriodSeconds")).isEqualTo(300);
        assertThat(podSpec(render(Map.of("terminationGracePeriodSeconds", 45)).one("Deployment"))
                .get("terminationGracePeriodSeconds")).isEqualTo(45);
        assertThatThrownBy(() -> render(Map.of("terminationGracePeriodSeconds", 44)))
                .hasMessageContaining("terminationGracePeriodSeconds (44) is shorter than");
    }

    @Test
    void preStopSleepZeroRemovesTheHookAndGivenHooksReplaceTheChartsOwn() {
        assertThat(gatewayContainer(render(Map.of("shutdown.preStopSleepSeconds", 0)).one("Deployment")))
                .doesNotContainKey("lifecycle");

        Map<String, Object> lifecycle = map(gatewayContainer(render(Map.of(
                "lifecycle.preStop.httpGet.path", "/drain",
                "lifecycle.preStop.httpGet.port", "management")).one("Deployment")), "lifecycle");
        assertThat(lifecycle).isEqualTo(Map.of("preStop",
                Map.of("httpGet", Map.of("path", "/drain", "port", "management"))));
    }

    @Test
    void accessLogIsOffByDefaultAndTakesTextOrJson() {
        Map<String, Object> byDefault = map(map(applicationConfig(render(Map.of())), "ingress-gateway"), "access-log");
        Map<String, Object> json = map(map(applicationConfig(render(Map.of("accessLog.format", "json"))),
                "ingress-gateway"), "access-log");
        Map<String, Object> text = map(map(applicationConfig(render(Map.of("accessLog.format", "text"))),
                "ingress-gateway"), "access-log");

        // The string "off", not YAML 1.1's boolean false, which Spring could not bind to the format.
        assertThat(byDefault).containsEntry("format", "off");
        assertThat(json).containsEntry("format", "json");
        assertThat(text).containsEntry("format", "text");
    }

    // --- rendering and navigation ---

    private record Manifests(List<Map<String, Object>> documents) {

        List<Map<String, Object>> all(String kind) {
            return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = all(kind);
            assertThat(found).as("rendered %s documents", kind).hasSize(1);
            return found.get(0);
        }
    }

    private record ServicePort(String name, Integer port, Object targetPort, Integer nodePort) {
    }

    private record Probe(String path, Object port, Integer timeoutSeconds) {
    }

    @SuppressWarnings("unchecked")
    private static Manifests render(Map<String, Object> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
        values.forEach(template::set);
        String rendered = template.call();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Map<String, Object>> documents = StreamSupport.stream(yaml.loadAll(rendered).spliterator(), false)
                .filter(Objects::nonNull)
                .map(d -> (Map<String, Object>) d)
                .toList();
        assertThat(documents).as("rendered documents").isNotEmpty();
        return new Manifests(documents);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> applicationConfig(Manifests manifests) {
        String text = (String) map(manifests.one("ConfigMap"), "data").get("application.yaml");
        assertThat(text).as("application.yaml in the ConfigMap").isNotBlank();
        return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    /** Every rule flattened to {@code group/resource[names]:verb}; a wildcard anywhere shows up as a literal star. */
    private static Set<String> grants(Map<String, Object> role) {
        Set<String> grants = new HashSet<>();
        for (Map<String, Object> rule : maps(role, "rules")) {
            String names = rule.containsKey("resourceNames") ? rule.get("resourceNames").toString() : "";
            for (Object group : list(rule, "apiGroups")) {
                for (Object resource : list(rule, "resources")) {
                    for (Object verb : list(rule, "verbs")) {
                        grants.add(group + "/" + resource + names + ":" + verb);
                    }
                }
            }
        }
        return grants;
    }

    private static void assertBoundToServiceAccount(Map<String, Object> binding, String roleKind, String roleName,
                                                    Manifests manifests) {
        assertThat(map(binding, "roleRef")).containsEntry("kind", roleKind).containsEntry("name", roleName);
        String account = name(manifests.one("ServiceAccount"));
        assertThat(account).isEqualTo(podSpec(manifests.one("Deployment")).get("serviceAccountName"));
        assertThat(list(binding, "subjects")).containsExactly(
                Map.of("kind", "ServiceAccount", "name", account, "namespace", NAMESPACE));
    }

    private static List<ServicePort> servicePorts(Map<String, Object> service) {
        List<ServicePort> ports = new ArrayList<>();
        for (Map<String, Object> port : maps(map(service, "spec"), "ports")) {
            ports.add(new ServicePort((String) port.get("name"), (Integer) port.get("port"), port.get("targetPort"),
                    (Integer) port.get("nodePort")));
        }
        return ports;
    }

    private static Probe probe(Map<String, Object> container, String kind) {
        Map<String, Object> probe = map(container, kind);
        Map<String, Object> httpGet = map(probe, "httpGet");
        return new Probe((String) httpGet.get("path"), httpGet.get("port"), (Integer) probe.get("timeoutSeconds"));
    }

    private static String configChecksum(Manifests manifests) {
        Map<String, Object> metadata = map(map(map(manifests.one("Deployment"), "spec"), "template"), "metadata");
        return (String) map(metadata, "annotations").get("checksum/config");
    }

    /** Environment of the container: plain values, and the field path of those taken from the pod. */
    private static Map<String, Object> env(Map<String, Object> container) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Map<String, Object> var : maps(container, "env")) {
            Object value = var.get("value");
            if (value == null && var.get("valueFrom") instanceof Map<?, ?> from && from.get("fieldRef") instanceof Map<?, ?> ref) {
                value = ref.get("fieldPath");
            }
            env.put((String) var.get("name"), value);
        }
        return env;
    }

    /**
     * Walks values.yaml beside the schema and collects every key the schema says nothing about: no properties entry
     * under an object that lists its properties, or an entry with no type, enum, reference or alternatives. A free-form
     * object (no properties listed) covers everything below it.
     */
    @SuppressWarnings("unchecked")
    private static void collectUndescribed(Object value, Map<String, Object> schemaNode, Map<String, Object> root,
                                           String path, List<String> undescribed) {
        Map<String, Object> node = resolve(schemaNode, root);
        if (!node.containsKey("type") && !node.containsKey("enum") && !node.containsKey("oneOf")) {
            undescribed.add(path.isEmpty() ? "(root)" : path);
            return;
        }
        if (!(value instanceof Map<?, ?> children) || !(node.get("properties") instanceof Map<?, ?> properties)) {
            return;
        }
        for (Map.Entry<?, ?> child : children.entrySet()) {
            String childPath = path.isEmpty() ? child.getKey().toString() : path + "." + child.getKey();
            Object childSchema = properties.get(child.getKey());
            if (childSchema == null) {
                undescribed.add(childPath);
            } else {
                collectUndescribed(child.getValue(), (Map<String, Object>) childSchema, root, childPath, undescribed);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolve(Map<String, Object> schemaNode, Map<String, Object> root) {
        Object ref = schemaNode.get("$ref");
        if (ref == null) {
            return schemaNode;
        }
        Map<String, Object> target = root;
        for (String segment : ref.toString().substring(2).split("/")) {
            target = (Map<String, Object>) target.get(segment);
        }
        return target;
    }

    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(map(map(deployment, "spec"), "template"), "spec");
    }

    private static Map<String, Object> gatewayContainer(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = maps(podSpec(deployment), "containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    private static Map<String, Object> selector(Map<String, Object> deployment) {
        return map(map(map(deployment, "spec"), "selector"), "matchLabels");
    }

    private static String name(Map<String, Object> resource) {
        return (String) map(resource, "metadata").get("name");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("map at %s", key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<Map<String, Object>> maps(Map<String, Object> parent, String key) {
        return list(parent, key);
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as("list at %s", key).isInstanceOf(List.class);
        return (List<T>) value;
    }
}
