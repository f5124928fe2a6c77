package io.ingressgateway.translate;

import static io.ingressgateway.translate.Fixtures.CLASS;
import static io.ingressgateway.translate.Fixtures.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.support.Objects;
import io.ingressgateway.support.TestCertificates.Issued;
import io.ingressgateway.support.TestCertificates.KeyFormat;
import io.ingressgateway.support.TestCertificates;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One translator fed a sequence of snapshots (reusing what it read from unchanged objects) must give exactly what a
 * fresh translator gives for each snapshot. The cluster changes as informers change it: a changed object is a new
 * object, an unchanged one stays the same instance.
 */
class IncrementalTranslationTest {

    private static final String[] HOSTS = {"a.test", "b.test", "*.b.test", "c.test", ""};
    private static final String[] PATHS = {"/", "/api", "/api/v1", "/web", "/web/static"};
    /** "odd:name" is invalid in a cluster, but a manifest may say it: an upstream key is its parts, never text. */
    private static final String[] SERVICES = {"web", "api", "admin", "gone", "odd:name"};
    private static final String[] NAMESPACES = {"ns", "ns-b", "a"};
    /**
     * Enough hosts that most changes leave most Ingresses untouched, so that what the translator must redo for the
     * Ingresses it did not read again (a default backend's owner, a TLS host's holder) is put to the test.
     */
    private static final String[] MANY_HOSTS = Stream.concat(Stream.of(HOSTS),
            Stream.iterate(0, i -> i + 1).limit(30).map(i -> "h" + i + ".test")).toArray(String[]::new);
    private static final Issued CERT = TestCertificates.issue("a.test", KeyFormat.EC_PKCS8, "a.test", "*.b.test");

    static Stream<Long> seeds() {
        return Stream.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void equalsAFreshTranslationAfterEveryChange(long seed) {
        Random random = new Random(seed);
        Cluster cluster = new Cluster();
        for (int i = 0; i < 12; i++) {
            cluster.putIngress(random, "ing" + i);
        }
        for (String service : List.of("web", "api", "admin")) {
            cluster.putService(random, service);
            cluster.putSlice(random, service);
        }
        cluster.secrets.put("cert", TestCertificates.secret("ns", "cert", CERT));
        IngressTranslator incremental = new IngressTranslator(SETTINGS);
        long revision = 0;
        for (int step = 0; step < 150; step++) {
            ClusterSnapshot snapshot = cluster.snapshot(++revision);
            RouteModel expected = new IngressTranslator(SETTINGS).translate(snapshot);
            assertThat(incremental.translate(snapshot)).as("seed %d step %d", seed, step).isEqualTo(expected);
            cluster.change(random);
        }
    }

    /**
     * The usual change in a cluster: a few Ingresses at a time, Services and Secrets unchanged, sometimes with
     * EndpointSlices in the same snapshot; Ingresses in several namespaces, some without a creation time, some of
     * another class, with TLS, redirects and default backends that other Ingresses depend on. Now and then the
     * snapshot lists its Ingresses out of order (sources sort them; the translator must not depend on it).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ingressChangesEqualAFreshTranslation(long seed) {
        ingressChangesEqualAFreshTranslation(seed, SETTINGS);
    }

    /**
     * The same under tenant rules: host ownership (one namespace owns a.test and *.b.test, another b.test and the
     * rest of .test, the third every other host and the catch-all), and every other seed the configured default
     * backend keeping the catch-all. Settings are fixed for a translator's life (a change of settings is a restart).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void ingressChangesEqualAFreshTranslationUnderTenantRules(long seed) {
        TranslatorSettings tenants = new TranslatorSettings(Fixtures.CLASS, Fixtures.CONTROLLER, "ns/web:80")
                .withHostOwnership(List.of(
                        new HostOwnershipRule(List.of("ns"), List.of("a.test", "*.b.test")),
                        new HostOwnershipRule(List.of("ns-b"), List.of("b.test", "*.test")),
                        new HostOwnershipRule(List.of("a"), List.of("*"))))
                .withConfiguredDefaultBackendWins(seed % 2 == 0);
        ingressChangesEqualAFreshTranslation(seed, tenants);
    }

    private static void ingressChangesEqualAFreshTranslation(long seed, TranslatorSettings settings) {
        Random random = new Random(seed);
        Cluster cluster = new Cluster();
        cluster.secrets.put("cert", TestCertificates.secret("ns", "cert", CERT));
        for (String service : List.of("web", "api", "admin", "odd:name")) {
            cluster.putService(random, service);
            cluster.putSlice(random, service);
        }
        for (int i = 0; i < 20; i++) {
            cluster.putAnyIngress(random);
        }
        IngressTranslator incremental = new IngressTranslator(settings);
        for (int step = 0; step < 200; step++) {
            ClusterSnapshot snapshot = cluster.snapshot(step + 1);
            if (random.nextInt(10) == 0) {
                List<Ingress> shuffled = new ArrayList<>(snapshot.ingresses());
                Collections.shuffle(shuffled, random);
                snapshot = new ClusterSnapshot(shuffled, snapshot.ingressClasses(), snapshot.services(),
                        snapshot.endpointSlices(), snapshot.secrets(), snapshot.configMaps(), snapshot.revision());
            }
            RouteModel expected = new IngressTranslator(settings).translate(snapshot);
            assertThat(incremental.translate(snapshot)).as("seed %d step %d", seed, step).isEqualTo(expected);
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                if (random.nextInt(5) == 0 && !cluster.ingresses.isEmpty()) {
                    List<String> names = new ArrayList<>(cluster.ingresses.keySet());
                    cluster.ingresses.remove(names.get(random.nextInt(names.size())));
                } else {
                    cluster.putAnyIngress(random);
                }
            }
            if (random.nextInt(8) == 0) {
                cluster.putSlice(random, SERVICES[random.nextInt(SERVICES.length)]);
            }
        }
    }

    @Test
    void twoIngressesWithTheSameNamespaceAndNameTranslateAsTheFirstListed() {
        Cluster cluster = new Cluster();
        cluster.putService(new Random(1), "web");
        Ingress first = Fixtures.ingress("ns", "twin", "2024-01-01T00:00:00Z",
                Objects.rule("a.test", Objects.prefix("/first", "web")));
        Ingress second = Fixtures.ingress("ns", "twin", "2024-01-01T00:00:00Z",
                Objects.rule("a.test", Objects.prefix("/second", "web")));
        IngressTranslator translator = new IngressTranslator(SETTINGS);
        translator.translate(cluster.snapshot(1));

        ClusterSnapshot twins = new ClusterSnapshot(List.of(first, second), List.of(cluster.ingressClass),
                new ArrayList<>(cluster.services.values()), List.of(), List.of(), 2);
        RouteModel model = translator.translate(twins);
        assertThat(model).isEqualTo(new IngressTranslator(SETTINGS).translate(twins));
        assertThat(Fixtures.routeLines(model)).singleElement().asString().contains("/first");

        ClusterSnapshot secondOnly = new ClusterSnapshot(List.of(second), List.of(cluster.ingressClass),
                new ArrayList<>(cluster.services.values()), List.of(), List.of(), 3);
        model = translator.translate(secondOnly);
        assertThat(model).isEqualTo(new IngressTranslator(SETTINGS).translate(secondOnly));
        assertThat(Fixtures.routeLines(model)).singleElement().asString().contains("/second");
    }

    /**
     * Found by TranslatorFuzzTest: in a snapshot listing its Ingresses out of order, the twin that was translated goes
     * while the other twin stays (the very same object): the one left must be translated, as from scratch.
     */
    @Test
    void theTwinLeftBehindIsTranslatedWhenTheTranslatedOneGoes() {
        Cluster cluster = new Cluster();
        cluster.putService(new Random(1), "web");
        Ingress first = Fixtures.ingress("ns", "twin", "2024-01-01T00:00:00Z",
                Objects.rule("a.test", Objects.prefix("/first", "web")));
        Ingress second = Fixtures.ingress("ns", "twin", "2024-01-01T00:00:00Z",
                Objects.rule("a.test", Objects.prefix("/second", "web")));
        Ingress other = Fixtures.ingress("ns", "zz-other", "2024-01-01T00:00:00Z",
                Objects.rule("b.test", Objects.prefix("/", "web")));
        List<Service> services = new ArrayList<>(cluster.services.values());
        IngressTranslator translator = new IngressTranslator(SETTINGS);
        translator.translate(new ClusterSnapshot(List.of(first, other, second), List.of(cluster.ingressClass),
                services, List.of(), List.of(), 1));

        ClusterSnapshot firstGone = new ClusterSnapshot(List.of(other, second), List.of(cluster.ingressClass),
                services, List.of(), List.of(), 2);
        RouteModel model = translator.translate(firstGone);

        assertThat(model).isEqualTo(new IngressTranslator(SETTINGS).translate(firstGone));
        assertThat(Fixtures.routeLines(model)).anyMatch(line -> line.contains("/second"));
    }

    @Test
    void anEndpointOnlyChangeKeepsEverythingButTheUpstreams() {
        Random random = new Random(42);
        Cluster cluster = new Cluster();
        for (int i = 0; i < 5; i++) {
            cluster.putIngress(random, "ing" + i);
        }
        for (String service : List.of("web", "api", "admin")) {
            cluster.putService(random, service);
            cluster.putSlice(random, service);
        }
        IngressTranslator translator = new IngressTranslator(SETTINGS);
        RouteModel before = translator.translate(cluster.snapshot(1));

        cluster.slices.put("web", Objects.slice("ns", "web", "web-1", "IPv4", "http", 8080, "10.9.9.9"));
        ClusterSnapshot snapshot = cluster.snapshot(2);
        RouteModel after = translator.translate(snapshot);

        assertThat(after).isEqualTo(new IngressTranslator(SETTINGS).translate(snapshot));
        // Not merged again: the very same routes, reports and TLS model.
        assertThat(after.virtualHosts()).isSameAs(before.virtualHosts());
        assertThat(after.ingresses()).isSameAs(before.ingresses());
        assertThat(after.tls()).isSameAs(before.tls());
        assertThat(after.revision()).isEqualTo(2);
    }

    @Test
    void changingOneIngressKeepsTheVirtualHostsItDoesNotTouch() {
        Cluster cluster = new Cluster();
        cluster.putService(new Random(1), "web");
        for (int i = 0; i < 5; i++) {
            cluster.ingresses.put("ing" + i, Fixtures.ingress("ns", "ing" + i, "2024-01-01T00:00:00Z",
                    Objects.rule("h" + i + ".test", Objects.prefix("/a", "web"), Objects.prefix("/b", "web"))));
        }
        IngressTranslator translator = new IngressTranslator(SETTINGS);
        RouteModel before = translator.translate(cluster.snapshot(1));

        cluster.ingresses.put("ing2", Fixtures.ingress("ns", "ing2", "2024-01-01T00:00:00Z",
                Objects.rule("h2.test", Objects.prefix("/a", "web"), Objects.prefix("/c", "web"))));
        ClusterSnapshot snapshot = cluster.snapshot(2);
        RouteModel after = translator.translate(snapshot);

        assertThat(after).isEqualTo(new IngressTranslator(SETTINGS).translate(snapshot));
        for (int i = 0; i < 5; i++) {
            if (i == 2) {
                assertThat(after.virtualHosts().get(i)).isNotEqualTo(before.virtualHosts().get(i));
            } else {
                assertThat(after.virtualHosts().get(i)).isSameAs(before.virtualHosts().get(i));
            }
        }
    }

    /** Cluster objects by name, in the "ns" namespace; replaced (never mutated) on change. */
    private static final class Cluster {
        final Map<String, Ingress> ingresses = new TreeMap<>();
        final Map<String, Service> services = new TreeMap<>();
        final Map<String, EndpointSlice> slices = new TreeMap<>();
        final Map<String, Secret> secrets = new TreeMap<>();
        IngressClass ingressClass = Fixtures.ourClass();
        int created;

        ClusterSnapshot snapshot(long revision) {
            return new ClusterSnapshot(new ArrayList<>(ingresses.values()), List.of(ingressClass),
                    new ArrayList<>(services.values()), new ArrayList<>(slices.values()),
                    new ArrayList<>(secrets.values()), revision);
        }

        void change(Random random) {
            switch (random.nextInt(10)) {
                case 0, 1, 2 -> putIngress(random, "ing" + random.nextInt(16));
                case 3 -> ingresses.remove("ing" + random.nextInt(16));
                case 4 -> putService(random, SERVICES[random.nextInt(SERVICES.length)]);
                case 5 -> services.remove(SERVICES[random.nextInt(SERVICES.length)]);
                case 6, 7 -> putSlice(random, SERVICES[random.nextInt(SERVICES.length)]);
                case 8 -> ingressClass = random.nextBoolean() ? Fixtures.ourClass()
                        : Objects.ingressClass(CLASS, "someone-else.io/controller", false);
                default -> {
                    if (secrets.isEmpty()) {
                        secrets.put("cert", TestCertificates.secret("ns", "cert", CERT));
                    } else {
                        secrets.clear();
                    }
                }
            }
        }

        void putIngress(Random random, String name) {
            putIngress(random, name, HOSTS);
        }

        void putIngress(Random random, String name, String[] hosts) {
            List<IngressRule> rules = new ArrayList<>();
            for (int r = random.nextInt(3); r >= 0; r--) {
                List<HTTPIngressPath> paths = new ArrayList<>();
                for (int p = random.nextInt(3); p >= 0; p--) {
                    String service = SERVICES[random.nextInt(SERVICES.length)];
                    paths.add(random.nextInt(4) == 0
                            ? Objects.namedPort(random.nextBoolean() ? "Exact" : "Prefix",
                                    PATHS[random.nextInt(PATHS.length)], service, "http")
                            : Objects.path(random.nextBoolean() ? "Exact" : "Prefix",
                                    PATHS[random.nextInt(PATHS.length)], service, random.nextBoolean() ? 80 : 81));
                }
                String host = hosts[random.nextInt(hosts.length)];
                rules.add(Objects.rule(host.isEmpty() ? null : host, paths.toArray(HTTPIngressPath[]::new)));
            }
            // Ages collide on purpose: ties are broken by name.
            IngressBuilder builder = Fixtures.ingress("ns", name, "2024-01-0" + (1 + random.nextInt(3))
                    + "T00:00:00Z").editSpec().withRules(rules).endSpec()
                    .editMetadata().withResourceVersion(Integer.toString(++created)).endMetadata();
            if (random.nextInt(4) == 0) {
                builder.editSpec().withDefaultBackend(Objects.serviceBackend(SERVICES[random.nextInt(SERVICES.length)], 80))
                        .endSpec();
            }
            if (random.nextInt(3) == 0) {
                builder.editSpec().addNewTl().withHosts("a.test").withSecretName("cert").endTl().endSpec();
            }
            if (random.nextInt(4) == 0) {
                builder.editMetadata().addToAnnotations("ingress-gateway.io/ssl-redirect", "false").endMetadata();
            }
            ingresses.put(name, builder.build());
        }

        /**
         * An Ingress in one of three namespaces (stored as namespace/name, so the snapshot's order is not always
         * namespace-then-name order), of our class or not, with or without a creation time.
         */
        void putAnyIngress(Random random) {
            String namespace = NAMESPACES[random.nextInt(NAMESPACES.length)];
            String name = "ing" + random.nextInt(24);
            putIngress(random, name, MANY_HOSTS);
            Ingress made = ingresses.remove(name);
            IngressBuilder builder = new IngressBuilder(made).editMetadata().withNamespace(namespace).endMetadata();
            switch (random.nextInt(12)) {
                case 0 -> builder.editMetadata().withCreationTimestamp(null).endMetadata();
                case 1 -> builder.editSpec().withIngressClassName("someone-else").endSpec();
                case 2 -> builder.editMetadata().addToAnnotations("nginx.ingress.kubernetes.io/force-ssl-redirect",
                        "true").endMetadata();
                case 3 -> builder.editMetadata().addToAnnotations("ingress-gateway.io/ssl-redirect", "maybe")
                        .endMetadata();
                case 4 -> builder.editSpec().addNewTl().withSecretName("cert").endTl().endSpec();
                case 5 -> builder.editSpec().addNewTl().withHosts("*.b.test").endTl().endSpec();
                default -> {
                }
            }
            ingresses.put(namespace + "/" + name, builder.build());
        }

        void putService(Random random, String name) {
            services.put(name, random.nextBoolean()
                    ? Objects.service("ns", name, Objects.port("http", 80))
                    : Objects.service("ns", name, Objects.port("http", 80), Objects.port("alt", 81)));
        }

        void putSlice(Random random, String service) {
            String[] addresses = new String[1 + random.nextInt(3)];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = (random.nextInt(4) == 0 ? "!" : "") + "10.0." + random.nextInt(3) + "."
                        + random.nextInt(5);
            }
            slices.put(service, Objects.slice("ns", service, service + "-1", "IPv4", "http", 8080, addresses));
        }
    }
}
