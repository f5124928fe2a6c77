package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns Ingress backends into {@link Upstream}s. Services and EndpointSlices are indexed once per snapshot, and each
 * upstream is resolved once, however many routes share it.
 *
 * <p>A backend that names a Service is always routed, even when the Service or its port does not exist: the upstream
 * then has no endpoints and the data plane answers 503, as ingress-nginx does. The path stays claimed, so a typo in
 * one Service name never lets another Ingress take over the path. Only backends that cannot name a Service
 * (a {@code resource} backend, a missing service name or port) are dropped.
 *
 * <p>ExternalName Services are served only when the operator turns them on ({@link ExternalNamePolicy}); otherwise,
 * and when the name is one no upstream may have ({@link ExternalNames}), the upstream has no endpoints and the
 * backend gets a warning.
 *
 * <p>Endpoints come from EndpointSlices labelled {@code kubernetes.io/service-name}, so Services without a selector
 * whose slices are written by hand work too. A Service without ready endpoints is not an Ingress problem and gets no
 * diagnostic: it is normal during a rollout, and the 503 shows it.
 */
final class BackendResolver {

    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /**
     * What a backend resolved to.
     *
     * @param upstreamKey the upstream to route to, or null when the backend is dropped
     * @param field       the field of the backend the problem concerns ({@code ""} for the backend itself)
     * @param problem     what is wrong, or null
     */
    record Resolution(UpstreamKey upstreamKey, String field, String problem) {
    }

    /**
     * One Service port an extraction resolved, and the Service object found for it (null when missing): an extraction
     * stays valid for as long as each of its Services is the very same object.
     */
    record ServiceUse(UpstreamKey upstreamKey, Service found, String serviceKey) {

        ServiceUse(UpstreamKey upstreamKey, Service found) {
            this(upstreamKey, found, BackendResolver.serviceKey(upstreamKey.namespace(), upstreamKey.service()));
        }
    }

    private final ExternalNamePolicy externalNames;
    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
    private final Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
    private final Map<UpstreamKey, String> problems = new HashMap<>();
    /** The uses of the extraction being recorded, or null. */
    private List<ServiceUse> recording;

    BackendResolver(List<Service> services, List<EndpointSlice> slices, ExternalNamePolicy externalNames) {
        this.externalNames = externalNames;
        for (Service service : services) {
            if (service != null) {
                this.services.put(serviceKey(IngressOrder.namespace(service), IngressOrder.name(service)), service);
            }
        }
        for (EndpointSlice slice : slices) {
            Map<String, String> labels = slice == null || slice.getMetadata() == null ? null
                    : slice.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null && !service.isEmpty()) {
                slicesByService.computeIfAbsent(serviceKey(IngressOrder.namespace(slice), service),
                        k -> new ArrayList<>()).add(slice);
            }
        }
    }

    /** Resolves the backend of a path or a {@code defaultBackend} of an Ingress in {@code namespace}. */
    Resolution resolve(String namespace, IngressBackend backend) {
        if (backend == null) {
            return new Resolution(null, "", "backend is required");
        }
        IngressServiceBackend service = backend.getService();
        if (service == null) {
            return backend.getResource() != null
                    ? new Resolution(null, ".resource", "resource backends are not supported")
                    : new Resolution(null, "", "backend must name a service");
        }
        if (backend.getResource() != null) {
            return new Resolution(null, "", "backend must name either a service or a resource, not both");
        }
        if (service.getName() == null || service.getName().isEmpty()) {
            return new Resolution(null, ".service.name", "service name is required");
        }
        ServiceBackendPort port = service.getPort();
        Integer number = port == null ? null : port.getNumber();
        String name = port == null || port.getName() == null || port.getName().isEmpty() ? null : port.getName();
        if (number == null && name == null) {
            return new Resolution(null, ".service.port", "service port number or name is required");
        }
        if (number != null && name != null) {
            return new Resolution(null, ".service.port", "service port must be a number or a name, not both");
        }
        if (number != null && (number < 1 || number > 65535)) {
            return new Resolution(null, ".service.port.number", "service port " + number + " is out of range");
        }
        UpstreamKey key = new UpstreamKey(namespace, service.getName(), number != null ? number.toString() : name);
        upstream(key);
        String problem = problems.get(key);
        return new Resolution(key, problem == null ? null : ".service", problem);
    }

    /**
     * The Service port a {@code default-backend} annotation names: the Service's first port, as ingress-nginx takes
     * it (by number, as an Ingress backend writing that number would). Null key with a problem when the Service does
     * not exist or has no port.
     */
    Resolution firstPort(String namespace, String serviceName) {
        Service service = services.get(serviceKey(namespace, serviceName));
        List<ServicePort> ports = service == null || service.getSpec() == null ? null : service.getSpec().getPorts();
        ServicePort first = ports == null || ports.isEmpty() ? null : ports.get(0);
        UpstreamKey key = first == null || first.getPort() == null ? null
                : new UpstreamKey(namespace, serviceName, first.getPort().toString());
        if (recording != null) {
            // Recorded even when missing: the extraction holds only while this Service stays the same object.
            recording.add(new ServiceUse(key != null ? key : new UpstreamKey(namespace, serviceName, ""), service));
        }
        if (key == null) {
            return new Resolution(null, "", "Service " + namespace + "/" + serviceName
                    + (service == null ? " does not exist" : " has no port"));
        }
        upstream(key);
        return new Resolution(key, null, null);
    }

    /**
     * Why the Service of {@code key} cannot be reached at its ClusterIP ({@code service-upstream}), or null when it
     * can: it must exist, be neither headless nor an ExternalName, and have the port. Asked after {@link #resolve}
     * reported no problem for the key.
     */
    String serviceAddressProblem(UpstreamKey key) {
        Service service = services.get(serviceKey(key.namespace(), key.service()));
        String qualified = "Service " + key.namespace() + "/" + key.service();
        if (service == null || service.getSpec() == null) {
            return qualified + " does not exist";
        }
        if ("ExternalName".equals(service.getSpec().getType())) {
            return qualified + " is of type ExternalName and has no ClusterIP";
        }
        String clusterIp = service.getSpec().getClusterIP();
        if (clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp)) {
            return qualified + (clusterIp == null || clusterIp.isEmpty() ? " has no ClusterIP" : " is headless"
                    + " (clusterIP: None)");
        }
        if (findPort(service, parsePort(key.port()), key.port()) == null) {
            return qualified + " has no port " + key.port();
        }
        return null;
    }

    /**
     * The upstream of one Service port (written as a number or a name), resolved when first asked for in this
     * snapshot: a key of a remembered extraction is resolved with this snapshot's Services and endpoints, exactly as
     * the original extraction did. A problem (no such Service or port) is remembered for
     * {@link #resolve(String, IngressBackend)} to report.
     */
    Upstream upstream(UpstreamKey key) {
        Service service = services.get(serviceKey(key.namespace(), key.service()));
        if (recording != null) {
            recording.add(new ServiceUse(key, service));
        }
        Upstream known = upstreams.get(key);
        return known != null ? known : resolve(key, service);
    }

    private Upstream resolve(UpstreamKey key, Service service) {
        String portAsWritten = key.port();
        Integer number = parsePort(portAsWritten);
        String qualified = "Service " + key.namespace() + "/" + key.service();
        if (service == null) {
            return remember(key, List.of(), false, qualified + " does not exist; requests get 503");
        }
        ServicePort servicePort = findPort(service, number, portAsWritten);
        if (service.getSpec() != null && "ExternalName".equals(service.getSpec().getType())) {
            String externalName = service.getSpec().getExternalName();
            Integer target = number != null ? number : servicePort == null ? null : servicePort.getPort();
            if (!externalNames.enabled()) {
                return remember(key, List.of(), true, qualified + " is of type ExternalName, which this gateway does"
                        + " not serve (ingress-gateway.external-name-services.enabled is false); requests get 503");
            }
            if (externalName == null || externalName.isEmpty()) {
                return remember(key, List.of(), true,
                        qualified + " is of type ExternalName but has no externalName; requests get 503");
            }
            String refused = ExternalNames.refusal(key.namespace(), externalName, externalNames);
            if (refused != null) {
                return remember(key, List.of(), true, qualified + " has externalName '" + externalName + "', "
                        + refused + "; requests get 503");
            }
            if (target == null) {
                return remember(key, List.of(), true,
                        qualified + " has no port named '" + portAsWritten + "'; requests get 503");
            }
            return remember(key, List.of(new Endpoint(externalName, target)), true, null);
        }
        if (servicePort == null) {
            return remember(key, List.of(), false, qualified + " has no port "
                    + (number != null ? portAsWritten : "named '" + portAsWritten + "'") + "; requests get 503");
        }
        if (key.serviceAddress()) {
            // Only made for a Service whose ClusterIP serviceAddressProblem accepted; the cluster balances from here.
            String clusterIp = service.getSpec().getClusterIP();
            return remember(key, clusterIp == null || clusterIp.isEmpty() || "None".equals(clusterIp) ? List.of()
                    : List.of(new Endpoint(clusterIp, servicePort.getPort())), false, null);
        }
        return remember(key, readyEndpoints(slicesByService.getOrDefault(
                serviceKey(key.namespace(), key.service()), List.of()), emptyIfNull(servicePort.getName())),
                false, null);
    }

    /** Records every Service port resolved from now until {@link #stopRecording()}. */
    void startRecording() {
        recording = new ArrayList<>();
    }

    List<ServiceUse> stopRecording() {
        List<ServiceUse> uses = recording == null ? List.of() : List.copyOf(recording);
        recording = null;
        return uses;
    }

    /**
     * Whether every Service of {@code uses} (recorded against another snapshot) is the very same object in this one,
     * so that what was read with them still holds. Their upstreams need no resolving here: {@link #upstream} resolves
     * any key it has not seen, with this snapshot's endpoints.
     */
    boolean stillValid(List<ServiceUse> uses) {
        for (ServiceUse use : uses) {
            if (services.get(use.serviceKey()) != use.found()) {
                return false;
            }
        }
        return true;
    }

    private Upstream remember(UpstreamKey key, List<Endpoint> endpoints, boolean externalName, String problem) {
        Upstream upstream = new Upstream(key, endpoints, externalName);
        upstreams.put(key, upstream);
        if (problem != null) {
            problems.put(key, problem);
        }
        return upstream;
    }

    private static ServicePort findPort(Service service, Integer number, String name) {
        List<ServicePort> ports = service.getSpec() == null ? null : service.getSpec().getPorts();
        if (ports == null) {
            return null;
        }
        for (ServicePort port : ports) {
            if (port == null) {
                continue;
            }
            if (number != null ? number.equals(port.getPort()) : name.equals(port.getName())) {
                return port;
            }
        }
        return null;
    }

    /**
     * Ready endpoints of the slice port named like the Service port ({@code null} and {@code ""} both mean the
     * unnamed port). {@code conditions.ready} unset counts as ready, as the EndpointSlice API specifies; a terminating
     * endpoint never does, even marked ready (a Service with {@code publishNotReadyAddresses} keeps its terminating
     * pods ready): its pod is on its way out, and a request sent to it now may find it gone. Only when no endpoint is
     * ready do those terminating ones that still serve ({@code conditions.serving}) take requests, as kube-proxy does,
     * so that a Service whose pods all terminate at once is answered while they still can.
     */
    private static List<Endpoint> readyEndpoints(List<EndpointSlice> slices, String portName) {
        List<Endpoint> ready = endpoints(slices, portName, false);
        return ready.isEmpty() ? endpoints(slices, portName, true) : ready;
    }

    /** The slices' ready endpoints, or with {@code terminating} their serving terminating ones; sorted. */
    private static List<Endpoint> endpoints(List<EndpointSlice> slices, String portName, boolean terminating) {
        Set<Endpoint> endpoints = new LinkedHashSet<>();
        for (EndpointSlice slice : slices) {
            String addressType = slice.getAddressType();
            if (!"IPv4".equals(addressType) && !"IPv6".equals(addressType)) {
                continue;
            }
            Integer port = slicePort(slice, portName);
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint == null || endpoint.getAddresses() == null
                        || !(terminating ? isServingTerminating(endpoint.getConditions())
                                : isReady(endpoint.getConditions()))) {
                    continue;
                }
                for (String address : endpoint.getAddresses()) {
                    if (address != null && !address.isEmpty()) {
                        endpoints.add(new Endpoint(address, port));
                    }
                }
            }
        }
        List<Endpoint> sorted = new ArrayList<>(endpoints);
        sorted.sort(Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
        return sorted;
    }

    private static Integer slicePort(EndpointSlice slice, String portName) {
        if (slice.getPorts() == null) {
            return null;
        }
        for (EndpointPort port : slice.getPorts()) {
            if (port != null && port.getPort() != null && emptyIfNull(port.getName()).equals(portName)) {
                return port.getPort();
            }
        }
        return null;
    }

    private static boolean isReady(EndpointConditions conditions) {
        return conditions == null || (conditions.getReady() == null || conditions.getReady())
                && !Boolean.TRUE.equals(conditions.getTerminating());
    }

    private static boolean isServingTerminating(EndpointConditions conditions) {
        return conditions != null && Boolean.TRUE.equals(conditions.getTerminating())
                && Boolean.TRUE.equals(conditions.getServing());
    }

    private static Integer parsePort(String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Integer.valueOf(port);
    }

    /** A Service's index key, {@code namespace/name}. */
    private static String serviceKey(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static String emptyIfNull(String s) {
        return s == null ? "" : s;
    }
}
