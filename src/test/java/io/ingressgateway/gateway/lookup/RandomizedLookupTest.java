package io.ingressgateway.gateway.lookup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.IngressRouteDefinitions;
import io.ingressgateway.gateway.route.IngressRouteLocator;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.IngressTranslator;
import io.ingressgateway.translate.TranslatorSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;

/**
 * The indexed lookup against a reference matcher on randomly generated rule sets. The rules go the way production
 * takes them: Ingress objects through the real translator, into gateway route definitions, into the index the handler
 * mapping uses. The reference reads the same rules straight from the Ingress objects and applies the Kubernetes rules
 * literally (conflicts to the oldest, host exact then wildcard then any, longest path, Exact before Prefix), with its
 * own element-wise path matching: it shares no matching code with the index.
 *
 * <p>Small alphabets of hosts and path segments make collisions, conflicts and near misses common. Seeds are fixed
 * so a failure reproduces; the seed is in the test name.
 */
class RandomizedLookupTest {

    private static final String[] EXACT_HOSTS = {"a.test", "b.test", "x.a.test", "www.b.test"};
    private static final String[] WILDCARD_HOSTS = {"*.a.test", "*.b.test", "*.x.a.test"};
    private static final String[] SEGMENTS = {"api", "v1", "app", "a", "api.v2", "x"};
    private static final String[] REQUEST_HOSTS = {"a.test", "b.test", "x.a.test", "www.b.test", "y.a.test",
            "q.b.test", "z.x.a.test", "deep.z.x.a.test", "a.b.test", "other.test", "test", ""};

    record RawRule(int ingressAge, int position, String host, String type, String path, String backend) {
    }

    static Stream<Long> seeds() {
        return Stream.iterate(1L, s -> s + 1).limit(60);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void indexedLookupAgreesWithTheReferenceMatcher(long seed) {
        Random random = new Random(seed);
        List<Ingress> ingresses = new ArrayList<>();
        List<RawRule> raw = new ArrayList<>();
        int ingressCount = 1 + random.nextInt(6);
        Instant epoch = Instant.parse("2024-01-01T00:00:00Z");
        for (int age = 0; age < ingressCount; age++) {
            List<IngressRule> rules = new ArrayList<>();
            int ruleCount = 1 + random.nextInt(4);
            int position = 0;
            for (int r = 0; r < ruleCount; r++) {
                String host = randomRuleHost(random);
                int pathCount = 1 + random.nextInt(4);
                List<io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath> paths = new ArrayList<>();
                for (int p = 0; p < pathCount; p++) {
                    String type = random.nextInt(3) == 0 ? "Exact" : random.nextInt(4) == 0 ? "ImplementationSpecific"
                            : "Prefix";
                    String path = randomPath(random, type.equals("Exact"));
                    String backend = "svc" + random.nextInt(5);
                    paths.add(new HTTPIngressPathBuilder().withPathType(type).withPath(path).withNewBackend()
                            .withNewService().withName(backend).withNewPort().withNumber(80).endPort().endService()
                            .endBackend().build());
                    raw.add(new RawRule(age, position++, host, type, path, backend));
                }
                rules.add(new IngressRuleBuilder().withHost(host).withNewHttp().withPaths(paths).endHttp().build());
            }
            // Names run against age, so only the creationTimestamp can order them correctly.
            ingresses.add(new IngressBuilder().withNewMetadata().withNamespace("ns").withName("ing-" + (9 - age))
                    .withCreationTimestamp(epoch.plusSeconds(age).toString()).endMetadata()
                    .withNewSpec().withIngressClassName("ingress-gateway").withRules(rules).endSpec().build());
        }
        RouteModel model = translate(ingresses);
        // As the gateway builds it: after the index of an earlier model (here without one of the Ingresses), whose
        // routes that did not change are the same instances and keep what they index to.
        List<Ingress> earlier = new ArrayList<>(ingresses);
        earlier.remove(random.nextInt(earlier.size()));
        IngressRouteLocator locator = new IngressRouteLocator();
        locator.update(IngressRouteDefinitions.from(translate(earlier)));
        RouteIndex before = new RouteIndex(List.of(), locator.served());
        locator.update(IngressRouteDefinitions.from(model));
        RouteIndex index = new RouteIndex(List.of(), locator.served(), before);
        Reference reference = new Reference(raw);

        for (int i = 0; i < 300; i++) {
            String host = REQUEST_HOSTS[random.nextInt(REQUEST_HOSTS.length)];
            host = random.nextBoolean() ? host.toUpperCase(Locale.ROOT) : host;
            String hostHeader = host + (random.nextInt(3) == 0 ? ":8080" : "");
            String path = randomPath(random, random.nextBoolean());
            if (random.nextInt(4) == 0 && !path.equals("/")) {
                path = path + "/";
            }
            String expected = reference.lookup(host.toLowerCase(Locale.ROOT), path);
            assertThat(actual(index, hostHeader, path)).as("seed %d: %s%s", seed, hostHeader, path)
                    .isEqualTo(expected);
        }
    }

    private static String randomRuleHost(Random random) {
        return switch (random.nextInt(5)) {
            case 0, 1 -> EXACT_HOSTS[random.nextInt(EXACT_HOSTS.length)];
            case 2, 3 -> WILDCARD_HOSTS[random.nextInt(WILDCARD_HOSTS.length)];
            default -> null;
        };
    }

    private static String randomPath(Random random, boolean allowRoot) {
        int depth = random.nextInt(allowRoot ? 4 : 3) + (allowRoot ? 0 : 1);
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    private static RouteModel translate(List<Ingress> ingresses) {
        return new IngressTranslator(new TranslatorSettings("ingress-gateway", "ingress-gateway.io/controller", ""))
                .translate(new ClusterSnapshot(ingresses, List.of(new IngressClassBuilder().withNewMetadata()
                        .withName("ingress-gateway").endMetadata().withNewSpec()
                        .withController("ingress-gateway.io/controller").endSpec().build()),
                        List.of(), List.of(), List.of(), 1));
    }

    private static String actual(RouteIndex index, String hostHeader, String path) {
        MockServerWebExchange exchange = MockServerWebExchange.from(
                MockServerHttpRequest.get("http://gateway" + path).header("Host", hostHeader));
        Route route = index.find(exchange).block();
        ServedRoute served = exchange.getAttribute(ServedRoute.ATTR);
        if (route == null || served.kind() == Kind.NOT_FOUND) {
            return "404";
        }
        assertThat(served.route()).isSameAs(route);
        return served.upstreamKey().service();
    }

    /** The Kubernetes rules, applied literally to the raw rule list. */
    static final class Reference {

        /** Per host pattern ("" for any host): the winning rule of each (type, normalised path). */
        private final Map<String, Map<String, RawRule>> hosts = new LinkedHashMap<>();

        Reference(List<RawRule> rules) {
            List<RawRule> byAge = new ArrayList<>(rules);
            byAge.sort(Comparator.comparingInt(RawRule::ingressAge).thenComparingInt(RawRule::position));
            for (RawRule rule : byAge) {
                String host = rule.host() == null ? "" : rule.host();
                String key = effectiveType(rule) + " " + normalise(rule);
                hosts.computeIfAbsent(host, h -> new HashMap<>()).putIfAbsent(key, rule);
            }
        }

        String lookup(String host, String path) {
            Map<String, RawRule> chosen = hosts.get(host);
            if (chosen == null) {
                int dot = host.indexOf('.');
                chosen = dot > 0 ? hosts.get("*" + host.substring(dot)) : null;
            }
            if (chosen == null) {
                chosen = hosts.get("");
            }
            if (chosen == null) {
                return "404";
            }
            RawRule best = null;
            for (RawRule rule : chosen.values()) {
                if (!matches(rule, path)) {
                    continue;
                }
                if (best == null || betterThan(rule, best)) {
                    best = rule;
                }
            }
            return best == null ? "404" : best.backend();
        }

        private static boolean betterThan(RawRule a, RawRule b) {
            int byLength = Integer.compare(normalise(a).length(), normalise(b).length());
            if (byLength != 0) {
                return byLength > 0;
            }
            return effectiveType(a).equals("Exact") && !effectiveType(b).equals("Exact");
        }

        private static String effectiveType(RawRule rule) {
            return rule.type().equals("Exact") ? "Exact" : "Prefix";
        }

        private static String normalise(RawRule rule) {
            String path = rule.path();
            if (effectiveType(rule).equals("Prefix")) {
                while (path.length() > 1 && path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
            }
            return path;
        }

        private static boolean matches(RawRule rule, String path) {
            if (effectiveType(rule).equals("Exact")) {
                return rule.path().equals(path);
            }
            String[] ruleElements = elements(normalise(rule));
            String[] pathElements = elements(path);
            if (ruleElements.length > pathElements.length) {
                return false;
            }
            for (int i = 0; i < ruleElements.length; i++) {
                if (!ruleElements[i].equals(pathElements[i])) {
                    return false;
                }
            }
            return true;
        }

        private static String[] elements(String path) {
            return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        }
    }
}
