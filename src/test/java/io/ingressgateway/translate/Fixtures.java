package io.ingressgateway.translate;

import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.service;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.Objects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the translator's tests share: our class and settings, snapshots of the objects {@link Objects} builds, and
 * ways to look into a translated model.
 */
final class Fixtures {

    static final String CLASS = "gw";
    static final String CONTROLLER = "ingress-gateway.io/controller";
    static final TranslatorSettings SETTINGS = new TranslatorSettings(CLASS, CONTROLLER, "");
    /** {@link #SETTINGS} with ExternalName Services served, no ranges denied or allowed beyond the built-in rules. */
    static final TranslatorSettings WITH_EXTERNAL_NAMES = new TranslatorSettings(CLASS, CONTROLLER, "", "",
            ExternalNamePolicy.enabled(List.of(), List.of()));

    private Fixtures() {
    }

    static IngressClass ourClass() {
        return Objects.ingressClass(CLASS, CONTROLLER, false);
    }

    /** An Ingress of our class; {@code created} may be null. */
    static IngressBuilder ingress(String namespace, String name, String created) {
        return new IngressBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .withCreationTimestamp(created).endMetadata()
                .withNewSpec().withIngressClassName(CLASS).endSpec();
    }

    static Ingress ingress(String namespace, String name, String created, IngressRule... rules) {
        return ingress(namespace, name, created).editSpec().withRules(rules).endSpec().build();
    }

    /** A cluster: Ingresses, our IngressClass, and the given Services and slices. */
    static ClusterSnapshot snapshot(List<Ingress> ingresses, List<Service> services, List<EndpointSlice> slices) {
        return new ClusterSnapshot(ingresses, List.of(ourClass()), services, slices, List.of(), 7);
    }

    /** A cluster in which every Service a backend names exists, with the ports it names (no endpoints). */
    static ClusterSnapshot snapshot(Ingress... ingresses) {
        return withServices(Arrays.asList(ingresses));
    }

    static ClusterSnapshot withServices(List<Ingress> ingresses) {
        Map<String, Map<String, ServicePort>> ports = new TreeMap<>();
        for (Ingress ingress : ingresses) {
            String namespace = ingress.getMetadata().getNamespace();
            List<IngressBackend> backends = new ArrayList<>();
            if (ingress.getSpec().getDefaultBackend() != null) {
                backends.add(ingress.getSpec().getDefaultBackend());
            }
            for (IngressRule rule : ingress.getSpec().getRules()) {
                if (rule.getHttp() != null) {
                    rule.getHttp().getPaths().forEach(p -> backends.add(p.getBackend()));
                }
            }
            for (IngressBackend backend : backends) {
                if (backend == null || backend.getService() == null) {
                    continue;
                }
                ServiceBackendPort port = backend.getService().getPort();
                ServicePort servicePort = port.getNumber() != null ? port("p" + port.getNumber(), port.getNumber())
                        : port(port.getName(), 8000);
                ports.computeIfAbsent(namespace + "/" + backend.getService().getName(), k -> new TreeMap<>())
                        .put(servicePort.getName(), servicePort);
            }
        }
        List<Service> services = new ArrayList<>();
        ports.forEach((key, byName) -> services.add(service(key.substring(0, key.indexOf('/')),
                key.substring(key.indexOf('/') + 1), byName.values().toArray(ServicePort[]::new))));
        return snapshot(ingresses, services, List.of());
    }

    static RouteModel translate(ClusterSnapshot snapshot) {
        return translate(snapshot, SETTINGS);
    }

    static RouteModel translate(ClusterSnapshot snapshot, TranslatorSettings settings) {
        return new IngressTranslator(settings).translate(snapshot);
    }

    static IngressReport report(RouteModel model, String namespace, String name) {
        return model.ingresses().stream()
                .filter(r -> r.ingress().namespace().equals(namespace) && r.ingress().name().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no report for " + namespace + "/" + name));
    }

    static List<Diagnostic> allDiagnostics(RouteModel model) {
        List<Diagnostic> all = new ArrayList<>();
        model.ingresses().forEach(r -> all.addAll(r.diagnostics()));
        return all;
    }

    static VirtualHost vhost(RouteModel model, String pattern) {
        return model.virtualHosts().stream().filter(v -> v.host().pattern().equals(pattern)).findFirst()
                .orElseThrow(() -> new AssertionError("no virtual host '" + pattern + "' in " + model.virtualHosts()));
    }

    /** Routes of a model as {@code host|TYPE|path -> upstreamKey} lines, in model order. */
    static List<String> routeLines(RouteModel model) {
        List<String> lines = new ArrayList<>();
        for (VirtualHost host : model.virtualHosts()) {
            host.routes().forEach(r -> lines.add(r.id() + " -> " + r.upstreamKey()));
        }
        return lines;
    }
}
