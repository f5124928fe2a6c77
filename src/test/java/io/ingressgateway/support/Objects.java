package io.ingressgateway.support;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builders for the Kubernetes objects tests create, kept terse so each test reads like a manifest: the integration
 * tests apply them to the API server, the translator's tests put them in snapshots.
 */
public final class Objects {

    public static final String OUR_CONTROLLER = "ingress-gateway.io/controller";
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private Objects() {
    }

    public static Namespace namespace(String name) {
        return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    public static IngressClass ingressClass(String name, String controller, boolean isDefault) {
        return new IngressClassBuilder()
                .withNewMetadata().withName(name)
                .withAnnotations(isDefault ? Map.of(DEFAULT_CLASS_ANNOTATION, "true") : Map.of())
                .endMetadata()
                .withNewSpec().withController(controller).endSpec()
                .build();
    }

    /** A Service port: name (may be null), port, and target port. */
    public static ServicePort port(String name, int port, int targetPort) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol("TCP")
                .withTargetPort(new IntOrString(targetPort)).build();
    }

    /** A Service port whose target port is the same number. */
    public static ServicePort port(String name, int port) {
        return port(name, port, port);
    }

    public static Service service(String namespace, String name, ServicePort... ports) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withSelector(Map.of("app", name)).withPorts(ports).endSpec()
                .build();
    }

    public static Service externalNameService(String namespace, String name, String externalName,
                                              ServicePort... ports) {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(externalName).withPorts(ports).endSpec()
                .build();
    }

    /**
     * An EndpointSlice for a Service: one named port and ready endpoints on 127.0.0.1 ports (the slice's port is
     * what the gateway connects to; each "endpoint" here is a distinct loopback backend, so each gets its own slice).
     */
    public static EndpointSlice endpointSlice(String namespace, String service, String sliceName, String portName,
                                              int port, boolean ready) {
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(namespace).withName(sliceName)
                .withLabels(Map.of(SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType("IPv4")
                .withPorts(new EndpointPortBuilder().withName(portName).withPort(port).withProtocol("TCP").build())
                .withEndpoints(new EndpointBuilder().withAddresses("127.0.0.1")
                        .withNewConditions().withReady(ready).endConditions().build())
                .build();
    }

    /**
     * A slice with one port, of any address type; each address is ready unless written as {@code "!10.0.0.1"} (not
     * ready).
     */
    public static EndpointSlice slice(String namespace, String service, String sliceName, String addressType,
                                      String portName, int port, String... addresses) {
        EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace)
                .withName(sliceName).addToLabels(SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType(addressType)
                .addNewPort().withName(portName).withPort(port).withProtocol("TCP").endPort();
        for (String address : addresses) {
            boolean notReady = address.startsWith("!");
            builder.addToEndpoints(new EndpointBuilder().withAddresses(notReady ? address.substring(1) : address)
                    .withNewConditions().withReady(notReady ? Boolean.FALSE : Boolean.TRUE).endConditions().build());
        }
        return builder.build();
    }

    public static IngressBackend serviceBackend(String service, int port) {
        return new IngressBackendBuilder().withNewService().withName(service).withNewPort().withNumber(port)
                .endPort().endService().build();
    }

    public static IngressBackend serviceBackend(String service, String portName) {
        return new IngressBackendBuilder().withNewService().withName(service).withNewPort().withName(portName)
                .endPort().endService().build();
    }

    public static HTTPIngressPath path(String type, String path, IngressBackend backend) {
        return new HTTPIngressPathBuilder().withPathType(type).withPath(path).withBackend(backend).build();
    }

    /** A path to a Service port by number. */
    public static HTTPIngressPath path(String type, String path, String service, int port) {
        return path(type, path, serviceBackend(service, port));
    }

    /** A path to a Service port by name. */
    public static HTTPIngressPath namedPort(String type, String path, String service, String port) {
        return path(type, path, serviceBackend(service, port));
    }

    /** A {@code Prefix} path to port 80 of a Service. */
    public static HTTPIngressPath prefix(String path, String service) {
        return path("Prefix", path, service, 80);
    }

    public static IngressRule rule(String host, HTTPIngressPath... paths) {
        return new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(paths).endHttp().build();
    }

    /** A fluent Ingress, so tests state only what matters to them. */
    public static IngressSpecBuilder ingress(String namespace, String name) {
        return new IngressSpecBuilder(namespace, name);
    }

    public static final class IngressSpecBuilder {
        private final String namespace;
        private final String name;
        private String className;
        private final Map<String, String> annotations = new LinkedHashMap<>();
        private final List<IngressRule> rules = new ArrayList<>();
        private IngressBackend defaultBackend;

        private IngressSpecBuilder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        public IngressSpecBuilder className(String className) {
            this.className = className;
            return this;
        }

        public IngressSpecBuilder annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        public IngressSpecBuilder rules(IngressRule... more) {
            rules.addAll(Arrays.asList(more));
            return this;
        }

        public IngressSpecBuilder defaultBackend(IngressBackend backend) {
            this.defaultBackend = backend;
            return this;
        }

        public Ingress build() {
            return new IngressBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(name).withAnnotations(annotations)
                    .endMetadata()
                    .withNewSpec().withIngressClassName(className).withRules(rules).withDefaultBackend(defaultBackend)
                    .endSpec()
                    .build();
        }
    }
}
