package io.ingressgateway.translate;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValueBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.TestCertificates;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import io.ingressgateway.translate.certificates.TlsSecrets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster built from fuzzer input: Ingresses, IngressClasses, Services, EndpointSlices and Secrets as a cluster or
 * a manifest directory may hold them, valid and not. Every choice is read from the {@link FuzzedDataProvider}, mostly
 * from small vocabularies of telling values (so objects refer to each other often) and sometimes as arbitrary text.
 *
 * <p>Objects are never mutated once built: a change replaces an object, so an unchanged object stays the same instance
 * from one snapshot to the next, as it does in the sources' caches.
 */
final class FuzzedCluster {

    static final String CLASS = Fixtures.CLASS;
    static final String CONTROLLER = Fixtures.CONTROLLER;

    private static final String[] NAMESPACES = {"ns", "ns", "other", "", null};
    private static final String[] INGRESS_NAMES = {"i0", "i1", "i2", "i3", "", null};
    private static final String[] SERVICE_NAMES = {"web", "api", "ext", "gone", "odd:name", "", "Web"};
    private static final String[] HOSTS = {"a.test", "b.test", "*.b.test", "x.b.test", "A.Test", "*.test", "*",
        "*.*.test", "a..test", "-a.test", "a.test.", "127.0.0.1", "[::1]", "::1", "a.test:80", "xn--bcher-kva.test",
        "bücher.test", "", null, "a_b.test", "a b.test", "evil/x.b.test", "x".repeat(64) + ".test",
        "a.".repeat(130) + "test", "*.", ".test"};
    private static final String[] PATHS = {"/", "", null, "/api", "/api/", "/api/v1", "/API", "api", "//a",
        "/a/../b", "/a/./b", "/a/..", "/a/.", "/%2F", "/a%2fb", "/a%2e%2e/b", "/a?x", "/a#x", "/a b", "/a\tb",
        "/(.*)", "/a*", "/a/\u0000", "/é", "/a;b", "/a/..;/b", "/a\\b", "/.", "/..", "/~user", "/%zz", "/a/"};
    private static final String[] PATH_TYPES = {"Exact", "Prefix", "ImplementationSpecific", "", null, "exact",
        "Regex"};
    private static final String[] PORT_NAMES = {"http", "alt", "", null, "80", "٨٠"};
    private static final int[] PORT_NUMBERS = {80, 81, 8080, 0, -1, 65535, 65536, Integer.MAX_VALUE,
        Integer.MIN_VALUE};
    private static final String[] TIMESTAMPS = {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z",
        "2024-01-02T00:00:00Z", "2024-01-01T01:00:00+01:00", "garbage", "", null};
    private static final String[] CLASS_NAMES = {CLASS, CLASS, "other", "", null, "missing"};
    private static final String[] SECRET_NAMES = {"cert", "rsa", "mismatched", "garbage", "opaque", "missing", "",
        null};
    private static final String[] ANNOTATION_VALUES = {"", " ", "true", "false", "TRUE", " false ", "maybe", "5s",
        "500ms", "1m30s", "1h1h", "25h", "0", "00", "-1", "-0", "+3", "10", "11", "60", "1000000", "1000001",
        "9999999999", "99999999999999999999", "50%", "100", "100.5", "0.5", "1.2345", "s", "5", "5x", CLASS,
        "other", "١٠", "web", "api", "404,503"};
    private static final String[] EXTERNAL_NAMES = {"example.com", "127.0.0.1", "", null, "169.254.169.254"};
    private static final String[] ADDRESSES = {"10.0.0.1", "10.0.0.2", "fd00::1", "", null};
    /** Settings are the operator's and validated at start: only valid rules and ranges are drawn. */
    private static final String[] OWNER_NAMESPACES = {"ns", "other", "*"};
    private static final String[] OWNED_HOSTS = {"a.test", "*.b.test", "x.b.test", "*.test", "*"};
    private static final String[] OWNED_CIDRS = {"127.0.0.0/8", "10.0.0.0/8", "169.254.169.254/32", "fd00::/8"};
    private static final String[] ADDRESS_TYPES = {"IPv4", "IPv6", "FQDN", null};
    private static final String[] CONFIGURED_DEFAULTS = {"", "ns/web:80", "ns/web:http", "ns/gone:80", "bad",
        "/web:80", "ns/:80", "ns/web:", "ns/web:0", "ns/web:99999", "ns/web:٨٠", " ns/web:80 ", "a/b/c:1",
        "ns/web:80:81", null};
    private static final String[] DEFAULT_CERTIFICATES = {"", "ns/cert", "ns/garbage", "ns/opaque", "gone/x", null,
        " ns/cert "};

    /** Certificates take long to make: a few, made once, serve every input. */
    private static final Issued EC = TestCertificates.issue("a.test", KeyFormat.EC_PKCS8, "a.test", "*.b.test");
    private static final Issued RSA = TestCertificates.issue("b.test", KeyFormat.RSA_PKCS1, "b.test");
    private static final Issued EC_SEC1 = TestCertificates.issue("x.b.test", KeyFormat.EC_SEC1);

    private final FuzzedDataProvider data;
    private final List<String> annotationKeys;

    final Map<String, Ingress> ingresses = new TreeMap<>();
    final Map<String, Service> services = new TreeMap<>();
    final Map<String, EndpointSlice> slices = new TreeMap<>();
    final Map<String, Secret> secrets = new TreeMap<>();
    List<IngressClass> ingressClasses = new ArrayList<>();

    FuzzedCluster(FuzzedDataProvider data) {
        this.data = data;
        List<String> keys = new ArrayList<>(AnnotationFamilies.standard().understood());
        keys.add("example.com/unrelated");
        keys.add("nginx.ingress.kubernetes.io/rewrite-target");
        // Keys no family serves: refused, unknown to ingress-nginx, unknown of ours (a warning each).
        keys.add("nginx.ingress.kubernetes.io/configuration-snippet");
        keys.add("nginx.ingress.kubernetes.io/rate-limit");
        keys.add("ingress-gateway.io/bogus");
        this.annotationKeys = List.copyOf(keys);
    }

    TranslatorSettings settings() {
        ExternalNamePolicy externalNames = data.consumeBoolean() ? ExternalNamePolicy.DISABLED
                : ExternalNamePolicy.of(true, subset(OWNED_CIDRS), subset(OWNED_CIDRS));
        List<HostOwnershipRule> ownership = new ArrayList<>();
        for (int i = count(3); i > 0; i--) {
            ownership.add(new HostOwnershipRule(List.of(pick(OWNER_NAMESPACES)), List.of(pick(OWNED_HOSTS))));
        }
        return new TranslatorSettings(pick(new String[] {CLASS, CLASS, "", null}),
                pick(new String[] {CONTROLLER, CONTROLLER, "", null}), text(CONFIGURED_DEFAULTS),
                text(DEFAULT_CERTIFICATES), externalNames, ownership, data.consumeBoolean());
    }

    /** Some of {@code values}, each at most once. */
    private List<String> subset(String[] values) {
        List<String> chosen = new ArrayList<>();
        for (String value : values) {
            if (data.consumeBoolean()) {
                chosen.add(value);
            }
        }
        return chosen;
    }

    /** A whole cluster: a few of each kind of object. */
    FuzzedCluster populate() {
        for (int i = count(3); i > 0; i--) {
            ingressClasses.add(ingressClass());
        }
        for (int i = count(4); i > 0; i--) {
            putService();
        }
        for (int i = count(4); i > 0; i--) {
            putSlice();
        }
        for (int i = count(4); i > 0; i--) {
            putSecret();
        }
        for (int i = 1 + count(5); i > 0; i--) {
            putIngress();
        }
        return this;
    }

    ClusterSnapshot snapshot(long revision) {
        return new ClusterSnapshot(new ArrayList<>(ingresses.values()), ingressClasses,
                new ArrayList<>(services.values()), new ArrayList<>(slices.values()),
                new ArrayList<>(secrets.values()), revision);
    }

    /** One change as a cluster makes them; mostly Ingresses, as in a real cluster. */
    void change() {
        switch (data.consumeInt(0, 9)) {
            case 0, 1, 2, 3 -> putIngress();
            case 4 -> removeOne(ingresses);
            case 5 -> putService();
            case 6 -> {
                if (data.consumeBoolean()) {
                    putSlice();
                } else {
                    removeOne(slices);
                }
            }
            case 7 -> {
                if (data.consumeBoolean()) {
                    putSecret();
                } else {
                    removeOne(secrets);
                }
            }
            case 8 -> {
                List<IngressClass> classes = new ArrayList<>();
                for (int i = count(3); i > 0; i--) {
                    classes.add(ingressClass());
                }
                ingressClasses = classes;
            }
            default -> removeOne(services);
        }
    }

    boolean hasMoreInput() {
        return data.remainingBytes() > 0;
    }

    private void removeOne(Map<String, ?> objects) {
        if (!objects.isEmpty()) {
            List<String> names = new ArrayList<>(objects.keySet());
            objects.remove(names.get(data.consumeInt(0, names.size() - 1)));
        }
    }

    // --- Ingresses ---------------------------------------------------------------------------------------------

    private void putIngress() {
        String namespace = pick(NAMESPACES);
        String name = pick(INGRESS_NAMES);
        Ingress ingress = new Ingress();
        if (data.consumeInt(0, 30) != 0) {
            ObjectMeta meta = new ObjectMeta();
            meta.setNamespace(namespace);
            meta.setName(name);
            meta.setCreationTimestamp(pick(TIMESTAMPS));
            meta.setResourceVersion(Integer.toString(data.consumeInt(0, 3)));
            meta.setAnnotations(annotations());
            ingress.setMetadata(meta);
        }
        if (data.consumeInt(0, 30) != 0) {
            ingress.setSpec(spec());
        }
        // Keyed so that a later Ingress with the same namespace/name replaces it, mostly; sometimes two share it.
        String key = namespace + "/" + name + (data.consumeInt(0, 15) == 0 ? "#twin" : "");
        ingresses.put(key, ingress);
    }

    private Map<String, String> annotations() {
        int count = count(4);
        if (count == 0) {
            return data.consumeBoolean() ? null : Map.of();
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = data.consumeInt(0, 10) == 0 ? data.consumeString(30) : pickFrom(annotationKeys);
            annotations.put(key, text(ANNOTATION_VALUES));
        }
        return annotations;
    }

    private IngressSpec spec() {
        IngressSpec spec = new IngressSpec();
        spec.setIngressClassName(pick(CLASS_NAMES));
        if (data.consumeInt(0, 4) == 0) {
            spec.setDefaultBackend(backend());
        }
        List<IngressRule> rules = new ArrayList<>();
        for (int i = count(3); i > 0; i--) {
            rules.add(data.consumeInt(0, 20) == 0 ? null : rule());
        }
        spec.setRules(data.consumeInt(0, 20) == 0 ? null : rules);
        List<IngressTLS> tls = new ArrayList<>();
        for (int i = data.consumeInt(0, 3) == 0 ? count(2) : 0; i > 0; i--) {
            tls.add(data.consumeInt(0, 20) == 0 ? null : tlsEntry());
        }
        spec.setTls(tls);
        return spec;
    }

    private IngressRule rule() {
        IngressRule rule = new IngressRule();
        rule.setHost(text(HOSTS));
        if (data.consumeInt(0, 10) != 0) {
            List<HTTPIngressPath> paths = new ArrayList<>();
            for (int i = count(3); i > 0; i--) {
                paths.add(data.consumeInt(0, 20) == 0 ? null : new HTTPIngressPathBuilder()
                        .withPathType(text(PATH_TYPES)).withPath(text(PATHS))
                        .withBackend(data.consumeInt(0, 20) == 0 ? null : backend()).build());
            }
            rule.setHttp(new HTTPIngressRuleValueBuilder().build());
            rule.getHttp().setPaths(data.consumeInt(0, 20) == 0 ? null : paths);
        }
        return rule;
    }

    private IngressBackend backend() {
        IngressBackendBuilder builder = new IngressBackendBuilder();
        int shape = data.consumeInt(0, 9);
        if (shape != 0) {
            ServiceBackendPort port = new ServiceBackendPort();
            switch (data.consumeInt(0, 5)) {
                case 0 -> port.setName(text(PORT_NAMES));
                case 1 -> {
                    port.setName(pick(PORT_NAMES));
                    port.setNumber(pickInt(PORT_NUMBERS));
                }
                case 2 -> port = null;
                default -> port.setNumber(pickInt(PORT_NUMBERS));
            }
            builder.withNewService().withName(text(SERVICE_NAMES)).withPort(port).endService();
        }
        if (shape == 0 || shape == 1) {
            builder.withNewResource("example.com", "Bucket", "b");
        }
        return builder.build();
    }

    private IngressTLS tlsEntry() {
        IngressTLS entry = new IngressTLS();
        entry.setSecretName(pick(SECRET_NAMES));
        List<String> hosts = new ArrayList<>();
        for (int i = count(3); i > 0; i--) {
            hosts.add(text(HOSTS));
        }
        entry.setHosts(data.consumeInt(0, 10) == 0 ? null : hosts);
        return entry;
    }

    // --- IngressClasses, Services, EndpointSlices, Secrets -----------------------------------------------------

    private IngressClass ingressClass() {
        if (data.consumeInt(0, 20) == 0) {
            return new IngressClass();
        }
        return new IngressClassBuilder().withNewMetadata().withName(pick(CLASS_NAMES))
                .withAnnotations(data.consumeBoolean()
                        ? Map.of(IngressClassSelector.DEFAULT_CLASS_ANNOTATION, pick(new String[] {"true", "TRUE"}))
                        : Map.of())
                .endMetadata()
                .withNewSpec().withController(pick(new String[] {CONTROLLER, CONTROLLER, "other.io/c", null}))
                .endSpec().build();
    }

    private void putService() {
        String name = pick(SERVICE_NAMES);
        String namespace = pick(NAMESPACES);
        ServiceBuilder builder = new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .endMetadata();
        switch (data.consumeInt(0, 9)) {
            case 0 -> { } // no spec
            case 1, 2 -> builder.withNewSpec().withType("ExternalName").withExternalName(text(EXTERNAL_NAMES))
                    .withPorts(servicePorts()).endSpec();
            default -> builder.withNewSpec().withType(pick(new String[] {"ClusterIP", "ClusterIP", "NodePort",
                    null})).withPorts(servicePorts()).endSpec();
        }
        services.put(namespace + "/" + name, builder.build());
    }

    private List<ServicePort> servicePorts() {
        List<ServicePort> ports = new ArrayList<>();
        for (int i = count(3); i > 0; i--) {
            ports.add(data.consumeInt(0, 20) == 0 ? null : new ServicePortBuilder().withName(pick(PORT_NAMES))
                    .withPort(data.consumeInt(0, 10) == 0 ? null : pickInt(PORT_NUMBERS))
                    .withTargetPort(new IntOrString(8080)).build());
        }
        return ports;
    }

    private void putSlice() {
        String service = pick(SERVICE_NAMES);
        String namespace = pick(NAMESPACES);
        EndpointSliceBuilder builder = new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace)
                .withName(service + "-" + data.consumeInt(0, 2))
                .withLabels(data.consumeInt(0, 10) == 0 ? null : Map.of(BackendResolver.SERVICE_NAME_LABEL,
                        service == null ? "" : service))
                .endMetadata()
                .withAddressType(pick(ADDRESS_TYPES));
        for (int i = count(2); i > 0; i--) {
            builder.addToPorts(new EndpointPortBuilder().withName(pick(PORT_NAMES))
                    .withPort(data.consumeInt(0, 10) == 0 ? null : data.consumeInt(1, 9000)).build());
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = count(3); i > 0; i--) {
            List<String> addresses = new ArrayList<>();
            for (int a = count(2); a > 0; a--) {
                addresses.add(pick(ADDRESSES));
            }
            endpoints.add(data.consumeInt(0, 20) == 0 ? null : new EndpointBuilder().withAddresses(addresses)
                    .withNewConditions().withReady(pick(new Boolean[] {true, true, false, null})).endConditions()
                    .build());
        }
        builder.withEndpoints(endpoints);
        slices.put(namespace + "/" + service + data.consumeInt(0, 2), builder.build());
    }

    private void putSecret() {
        String name = pick(SECRET_NAMES);
        String namespace = pick(NAMESPACES);
        Secret secret = switch (data.consumeInt(0, 7)) {
            case 0 -> TestCertificates.secret(namespace, name, EC);
            case 1 -> TestCertificates.secret(namespace, name, RSA);
            case 2 -> TestCertificates.secret(namespace, name, EC_SEC1);
            case 3 -> TestCertificates.secret(namespace, name, EC.withKeyOf(RSA));
            case 4 -> TestCertificates.secret(namespace, name, pem("CERTIFICATE", data.consumeBytes(200)),
                    pem(pick(new String[] {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY",
                        "ENCRYPTED PRIVATE KEY", "EC PARAMETERS"}), data.consumeBytes(200)));
            case 5 -> TestCertificates.secret(namespace, name, EC.certificatePem() + data.consumeString(50),
                    data.consumeString(300));
            case 6 -> new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                    .withType(pick(new String[] {ClusterSnapshot.TLS_SECRET_TYPE, "Opaque", null}))
                    .withData(data.consumeBoolean() ? null : Map.of(TlsSecrets.CERTIFICATE_KEY,
                            data.consumeString(40), TlsSecrets.PRIVATE_KEY_KEY, "!!not base64!!"))
                    .withStringData(data.consumeBoolean() ? null : Map.of(TlsSecrets.CERTIFICATE_KEY,
                            EC.certificatePem(), TlsSecrets.PRIVATE_KEY_KEY, EC.keyPem()))
                    .build();
            default -> new SecretBuilder(TestCertificates.secret(namespace, name, EC)).withType("Opaque").build();
        };
        secrets.put(namespace + "/" + name, secret);
    }

    private static String pem(String type, byte[] body) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(body)
                + "\n-----END " + type + "-----\n";
    }

    // --- Choices -----------------------------------------------------------------------------------------------

    private int count(int max) {
        return data.consumeInt(0, max);
    }

    private <T> T pick(T[] values) {
        return values[data.consumeInt(0, values.length - 1)];
    }

    private <T> T pickFrom(List<T> values) {
        return values.get(data.consumeInt(0, values.size() - 1));
    }

    private int pickInt(int[] values) {
        return data.consumeInt(0, 6) == 0 ? data.consumeInt() : values[data.consumeInt(0, values.length - 1)];
    }

    /** Mostly a telling value, sometimes arbitrary text (any Unicode, control characters included). */
    private String text(String[] values) {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeBoolean() ? data.consumeString(40)
                    : new String(data.consumeBytes(40), StandardCharsets.ISO_8859_1);
        }
        return pick(values);
    }
}
