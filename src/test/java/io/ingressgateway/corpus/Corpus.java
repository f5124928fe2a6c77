package io.ingressgateway.corpus;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.ingressgateway.source.ManifestParser;
import io.ingressgateway.support.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToIntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The corpus of real-world-shaped Ingress manifests ({@code src/test/resources/corpus/ingresses/}) and what each must
 * do ({@code corpus/expectations.yaml}): read once, shared by the gateway test and the migration check's test.
 */
final class Corpus {

    static final Path ROOT = Path.of("src/test/resources/corpus");
    static final Path INGRESSES = ROOT.resolve("ingresses");

    /** One manifest file and what must happen with it. */
    record Case(String file, Map<String, String> migration, List<Exchange> requests) {
    }

    /**
     * One request and its outcome.
     *
     * @param upstreams               what the upstreams received, in order (an error page is a second request);
     *                                empty when no upstream may be asked
     * @param responseHeaderContains  per response header, texts its value must contain
     * @param responseHeaderAbsent    response headers that must not be there at all
     */
    record Exchange(String method, String url, Map<String, String> headers, int bodyBytes, int status,
                    String location, List<Upstream> upstreams, Map<String, List<String>> responseHeaderContains,
                    List<String> responseHeaderAbsent) {

        @Override
        public String toString() {
            return method + " " + url + (bodyBytes > 0 ? " (" + bodyBytes + " bytes)" : "");
        }
    }

    /**
     * What the upstream must have received: null fields are not checked.
     *
     * @param absentHeaders headers (lower case) the upstream must not have received
     */
    record Upstream(String service, String uri, String host, Map<String, String> headers, Integer bodyBytes,
                    List<String> absentHeaders) {
    }

    /** A Service port named by an Ingress: namespace, name, and the port as written (number or name). */
    record ServicePort(String namespace, String name, String port) implements Comparable<ServicePort> {

        boolean numbered() {
            return port.chars().allMatch(Character::isDigit);
        }

        @Override
        public String toString() {
            return namespace + "/" + name + ":" + port;
        }

        @Override
        public int compareTo(ServicePort other) {
            return toString().compareTo(other.toString());
        }
    }

    private Corpus() {
    }

    @SuppressWarnings("unchecked")
    static List<Case> cases() {
        List<Map<String, Object>> raw;
        try (InputStream in = Files.newInputStream(ROOT.resolve("expectations.yaml"))) {
            raw = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (Map<String, Object> entry : raw) {
            List<Exchange> exchanges = new ArrayList<>();
            for (Map<String, Object> request : (List<Map<String, Object>>) entry.get("requests")) {
                exchanges.add(exchange(request));
            }
            cases.add(new Case((String) entry.get("file"), strings((Map<String, Object>) entry.get("migration")),
                    exchanges));
        }
        return cases;
    }

    @SuppressWarnings("unchecked")
    private static Exchange exchange(Map<String, Object> request) {
        Object upstream = request.get("upstream");
        List<Upstream> expected = new ArrayList<>();
        if (upstream instanceof Map<?, ?> fields) {
            expected.add(upstream((Map<String, Object>) fields));
        } else if (request.get("upstreams") instanceof List<?> list) {
            list.forEach(fields -> expected.add(upstream((Map<String, Object>) fields)));
        } else if (!"none".equals(upstream)) {
            throw new IllegalArgumentException("upstream must be a map or 'none', or upstreams a list: " + request);
        }
        Map<String, List<String>> contains = new LinkedHashMap<>();
        Map<String, List<String>> raw = (Map<String, List<String>>) request.get("responseHeaderContains");
        if (raw != null) {
            raw.forEach((name, texts) -> contains.put(name, List.copyOf(texts)));
        }
        return new Exchange((String) request.getOrDefault("method", "GET"), (String) request.get("url"),
                strings((Map<String, Object>) request.get("headers")),
                (Integer) request.getOrDefault("bodyBytes", 0), (Integer) request.getOrDefault("status", 200),
                (String) request.get("location"), List.copyOf(expected), contains,
                List.copyOf((List<String>) request.getOrDefault("responseHeaderAbsent", List.of())));
    }

    @SuppressWarnings("unchecked")
    private static Upstream upstream(Map<String, Object> map) {
        return new Upstream((String) map.get("service"), (String) map.get("uri"), (String) map.get("host"),
                strings((Map<String, Object>) map.get("headers")), (Integer) map.get("bodyBytes"),
                map.get("absentHeaders") == null ? List.of() : List.copyOf((List<String>) map.get("absentHeaders")));
    }

    private static Map<String, String> strings(Map<String, Object> map) {
        Map<String, String> strings = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((key, value) -> strings.put(key, String.valueOf(value)));
        }
        return strings;
    }

    /** Every manifest file of the corpus, by name. */
    static List<Path> files() {
        try (Stream<Path> files = Files.list(INGRESSES)) {
            return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objects of every manifest file. */
    static List<HasMetadata> objects() {
        ManifestParser parser = new ManifestParser();
        List<HasMetadata> objects = new ArrayList<>();
        for (Path file : files()) {
            try {
                objects.addAll(parser.parse(Files.readAllBytes(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ManifestParser.InvalidManifestException e) {
                throw new IllegalStateException(file + ": " + e.getMessage(), e);
            }
        }
        return objects;
    }

    /** The annotation naming a Service of the Ingress's namespace for its error pages (its first port). */
    private static final String DEFAULT_BACKEND_ANNOTATION = "nginx.ingress.kubernetes.io/default-backend";

    /**
     * Every Service port an Ingress of the corpus sends to (rules, spec.defaultBackend, and the default-backend
     * annotation, whose Service gets port 80).
     */
    static TreeSet<ServicePort> servicePorts(List<HasMetadata> objects) {
        TreeSet<ServicePort> ports = new TreeSet<>();
        for (HasMetadata object : objects) {
            if (!(object instanceof Ingress ingress)) {
                continue;
            }
            String namespace = Objects.requireNonNullElse(ingress.getMetadata().getNamespace(), "default");
            Map<String, String> annotations = ingress.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey(DEFAULT_BACKEND_ANNOTATION)) {
                ports.add(new ServicePort(namespace, annotations.get(DEFAULT_BACKEND_ANNOTATION), "80"));
            }
            if (annotations != null) {
                annotations.forEach((key, value) -> ports.addAll(clusterUrlServices(value)));
            }
            List<IngressBackend> backends = new ArrayList<>();
            if (ingress.getSpec().getDefaultBackend() != null) {
                backends.add(ingress.getSpec().getDefaultBackend());
            }
            if (ingress.getSpec().getRules() != null) {
                ingress.getSpec().getRules().stream().filter(rule -> rule.getHttp() != null)
                        .flatMap(rule -> rule.getHttp().getPaths().stream())
                        .forEach(path -> backends.add(path.getBackend()));
            }
            for (IngressBackend backend : backends) {
                IngressServiceBackend service = backend.getService();
                if (service != null) {
                    String port = service.getPort().getNumber() != null
                            ? String.valueOf(service.getPort().getNumber()) : service.getPort().getName();
                    ports.add(new ServicePort(namespace, service.getName(), port));
                }
            }
        }
        return ports;
    }

    /**
     * An in-cluster Service URL in an annotation ({@code auth-url: http://oauth2-proxy.auth.svc.cluster.local:4180/}):
     * name, namespace, and the port (80 when not written).
     */
    private static final Pattern CLUSTER_URL = Pattern.compile(
            "http://([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local(?::(\\d+))?");

    /** The Service ports in-cluster URLs of an annotation value name. */
    static List<ServicePort> clusterUrlServices(String value) {
        List<ServicePort> ports = new ArrayList<>();
        Matcher matcher = CLUSTER_URL.matcher(value);
        while (matcher.find()) {
            ports.add(new ServicePort(matcher.group(2), matcher.group(1),
                    Objects.requireNonNullElse(matcher.group(3), "80")));
        }
        return ports;
    }

    /**
     * A manifest with each in-cluster Service URL ({@code http://<name>.<namespace>.svc.cluster.local[:port]}) leading
     * to that Service port's endpoint on 127.0.0.1, as the cluster's DNS would lead it to the Service: the test's
     * stand-in for cluster DNS, so an {@code auth-url} naming an auth Service reaches its echo backend.
     */
    static String resolveClusterUrls(String manifest, ToIntFunction<ServicePort> endpointPort) {
        return CLUSTER_URL.matcher(manifest).replaceAll(match -> "http://127.0.0.1:" + endpointPort.applyAsInt(
                new ServicePort(match.group(2), match.group(1), Objects.requireNonNullElse(match.group(3), "80"))));
    }

    /** The TLS Secrets the corpus's Ingresses name, as namespace/name, with the hosts each must cover. */
    static Map<String, List<String>> tlsSecrets(List<HasMetadata> objects) {
        Map<String, List<String>> secrets = new LinkedHashMap<>();
        for (HasMetadata object : objects) {
            if (object instanceof Ingress ingress && ingress.getSpec().getTls() != null) {
                String namespace = Objects.requireNonNullElse(ingress.getMetadata().getNamespace(), "default");
                ingress.getSpec().getTls().forEach(tls -> secrets.computeIfAbsent(namespace + "/"
                        + tls.getSecretName(), key -> new ArrayList<>()).addAll(tls.getHosts()));
            }
        }
        return secrets;
    }

    /**
     * What a cluster holding the corpus also has, as one multi-document manifest: the IngressClass {@code nginx}
     * (the default class, pointed at this controller), a Service per backend the Ingresses name, with the ports they
     * name (a port named in an Ingress gets a number from 8000), an EndpointSlice per Service port on 127.0.0.1 at
     * {@code endpointPort}'s port, and a TLS Secret covering the hosts of each {@code secretName}.
     */
    static String cluster(List<HasMetadata> objects, ToIntFunction<ServicePort> endpointPort) {
        List<String> documents = new ArrayList<>();
        documents.add("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: nginx
                  annotations:
                    ingressclass.kubernetes.io/is-default-class: "true"
                spec:
                  controller: ingress-gateway.io/controller
                """);
        Map<String, List<ServicePort>> services = new TreeMap<>();
        for (ServicePort servicePort : servicePorts(objects)) {
            services.computeIfAbsent(servicePort.namespace() + "/" + servicePort.name(), key -> new ArrayList<>())
                    .add(servicePort);
        }
        services.values().forEach(ports -> documents.add(service(ports, endpointPort)));
        tlsSecrets(objects).forEach((key, hosts) -> {
            String[] namespaceAndName = key.split("/");
            TestCertificates.Issued issued = TestCertificates.issue(hosts.get(0),
                    TestCertificates.KeyFormat.EC_PKCS8, hosts.toArray(String[]::new));
            documents.add(Serialization.asYaml(TestCertificates.secret(namespaceAndName[0], namespaceAndName[1],
                    issued)).replaceFirst("^---\n", ""));
        });
        return String.join("---\n", documents);
    }

    private static String service(List<ServicePort> ports, ToIntFunction<ServicePort> endpointPort) {
        ServicePort first = ports.get(0);
        StringBuilder service = new StringBuilder("""
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: %s
                  name: %s
                spec:
                  ports:
                """.formatted(first.namespace(), first.name()));
        StringBuilder slices = new StringBuilder();
        int unnumbered = 8000;
        for (ServicePort servicePort : ports) {
            String portName = servicePort.numbered() ? "p" + servicePort.port() : servicePort.port();
            int number = servicePort.numbered() ? Integer.parseInt(servicePort.port()) : unnumbered++;
            service.append("    - name: %s\n      port: %d\n      targetPort: 8080\n".formatted(portName, number));
            slices.append("""
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata:
                      namespace: %s
                      name: %s-%s
                      labels:
                        kubernetes.io/service-name: %s
                    addressType: IPv4
                    ports:
                      - name: %s
                        port: %d
                        protocol: TCP
                    endpoints:
                      - addresses: ["127.0.0.1"]
                        conditions: {ready: true}
                    """.formatted(first.namespace(), first.name(), portName, first.name(), portName,
                    endpointPort.applyAsInt(servicePort)));
        }
        return service + slices.toString();
    }
}
