package io.ingressgateway.translate;

import static io.ingressgateway.support.Models.key;
import static io.ingressgateway.support.Objects.externalNameService;
import static io.ingressgateway.support.Objects.port;
import static io.ingressgateway.support.Objects.prefix;
import static io.ingressgateway.support.Objects.rule;
import static io.ingressgateway.support.Objects.service;
import static io.ingressgateway.support.Objects.slice;
import static io.ingressgateway.translate.Fixtures.ingress;
import static io.ingressgateway.translate.Fixtures.report;
import static io.ingressgateway.translate.Fixtures.snapshot;
import static io.ingressgateway.translate.Fixtures.translate;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.Upstream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ExternalName Services in translation: not served unless the operator turns them on, and then refused when the name
 * is an IP literal no upstream may have, a loopback name, another namespace's Service, or not a name at all. A refused
 * backend still claims its path (answered 503) and warns on its Ingress, naming the Service; the Ingress's other
 * paths and other Ingresses are untouched.
 */
class ExternalNameTranslationTest {

    private static final List<EndpointSlice> SLICES =
            List.of(slice("shop", "web", "web-1", "IPv4", "http", 8080, "10.0.0.1"));

    private static final TranslatorSettings ON = Fixtures.WITH_EXTERNAL_NAMES;
    private static final TranslatorSettings ON_WITH_RANGES = new TranslatorSettings(Fixtures.CLASS,
            Fixtures.CONTROLLER, "", "", ExternalNamePolicy.enabled(
                    List.of(AddressRange.parse("10.0.0.0/8"), AddressRange.parse("fd00::/8")),
                    List.of(AddressRange.parse("10.20.0.0/16"), AddressRange.parse("127.0.0.2"))));

    /** Ingress shop/app: {@code /ext} to Service shop/ext (ExternalName to {@code name}), {@code /web} to shop/web. */
    private static RouteModel translateWith(String externalName, TranslatorSettings settings) {
        Ingress app = ingress("shop", "app", null,
                rule("shop.example", prefix("/ext", "ext"), prefix("/web", "web")));
        Ingress other = ingress("shop", "other", null, rule("other.example", prefix("/", "web")));
        List<Service> services = List.of(service("shop", "web", port("http", 80)),
                externalNameService("shop", "ext", externalName, port("http", 80)));
        return translate(snapshot(List.of(app, other), services, SLICES), settings);
    }

    static Stream<Arguments> names() {
        return Stream.of(
                // name, settings, served endpoint (null: refused), diagnostic fragment (null: none)
                Arguments.of("off by default: a DNS name", "api.partner.example", Fixtures.SETTINGS, null,
                        "ExternalName, which this gateway does not serve"),
                Arguments.of("off by default: even a public address", "203.0.113.7", Fixtures.SETTINGS, null,
                        "ingress-gateway.external-name-services.enabled is false"),
                Arguments.of("on: a DNS name (judged after resolution)", "api.partner.example", ON,
                        "api.partner.example:80", null),
                Arguments.of("on: a name with a trailing dot", "api.partner.example.", ON,
                        "api.partner.example.:80", null),
                Arguments.of("on: a public IPv4 literal", "203.0.113.7", ON, "203.0.113.7:80", null),
                Arguments.of("on: a public IPv6 literal", "2001:db8::7", ON, "[2001:db8::7]:80", null),
                Arguments.of("on: this namespace's Service", "web.shop.svc.cluster.local", ON,
                        "web.shop.svc.cluster.local:80", null),
                Arguments.of("loopback", "127.0.0.1", ON, null, "'127.0.0.1', a loopback address"),
                Arguments.of("loopback, anywhere in 127/8", "127.8.9.10", ON, null, "a loopback address"),
                Arguments.of("IPv6 loopback", "::1", ON, null, "a loopback address"),
                Arguments.of("IPv4-mapped loopback", "::ffff:127.0.0.1", ON, null, "a loopback address"),
                Arguments.of("cloud metadata", "169.254.169.254", ON, null, "a link-local address"),
                Arguments.of("IPv6 link-local", "fe80::1", ON, null, "a link-local address"),
                Arguments.of("unspecified", "0.0.0.0", ON, null, "an unspecified address"),
                Arguments.of("IPv6 unspecified", "::", ON, null, "an unspecified address"),
                Arguments.of("localhost", "localhost", ON, null, "loopback interface"),
                Arguments.of("a localhost name", "app.localhost.", ON, null, "loopback interface"),
                Arguments.of("another namespace's Service", "db.payments.svc.cluster.local", ON, null,
                        "a Service of namespace 'payments'"),
                Arguments.of("another namespace's Service, short", "db.payments.svc", ON, null,
                        "a Service of namespace 'payments'"),
                Arguments.of("not a name: a URL", "evil.example/path", ON, null, "neither a DNS name nor an IP"),
                Arguments.of("not a name: user info", "user@evil.example", ON, null, "neither a DNS name nor"),
                Arguments.of("not a name: a port", "evil.example:8080", ON, null, "neither a DNS name nor"),
                Arguments.of("an address in a short form", "127.1", ON, null, "neither a DNS name nor"),
                Arguments.of("an address as one number", "2130706433", ON, null, "neither a DNS name nor"),
                Arguments.of("an IPv6 literal in brackets", "[2001:db8::7]", ON, null, "in brackets"),
                Arguments.of("a denied range", "10.1.2.3", ON_WITH_RANGES, null, "an address in a denied range"),
                Arguments.of("a denied IPv6 range", "fd00::5", ON_WITH_RANGES, null, "a denied range"),
                Arguments.of("an allowed range inside a denied one", "10.20.3.4", ON_WITH_RANGES, "10.20.3.4:80",
                        null),
                Arguments.of("an allowed address overrides loopback", "127.0.0.2", ON_WITH_RANGES, "127.0.0.2:80",
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void servesOrRefusesTheExternalName(String description, String externalName, TranslatorSettings settings,
                                        String endpoint, String problem) {
        RouteModel model = translateWith(externalName, settings);

        // The path stays claimed either way: a refused ExternalName answers 503, like a Service without endpoints.
        assertThat(Fixtures.routeLines(model)).contains("shop.example|PREFIX|/ext -> shop/ext:80");
        Upstream upstream = model.upstreams().get(key("shop", "ext", "80"));
        assertThat(upstream.externalName()).isTrue();
        assertThat(upstream.endpoints()).map(Object::toString)
                .isEqualTo(endpoint == null ? List.of() : List.of(endpoint));
        IngressReport report = report(model, "shop", "app");
        if (problem == null) {
            assertThat(report.diagnostics()).isEmpty();
        } else {
            assertThat(report.diagnostics()).singleElement().satisfies(diagnostic -> {
                assertThat(diagnostic.severity()).isEqualTo(Diagnostic.Severity.WARNING);
                assertThat(diagnostic.field()).isEqualTo("spec.rules[0].http.paths[0].backend.service");
                assertThat(diagnostic.message()).contains("Service shop/ext").contains(problem)
                        .endsWith("requests get 503");
            });
        }
        // The Ingress's other path, and the other Ingress, are served as ever.
        assertThat(model.upstreams().get(key("shop", "web", "80")).endpoints()).map(Object::toString)
                .containsExactly("10.0.0.1:8080");
        assertThat(report(model, "shop", "other").diagnostics()).isEmpty();
        assertThat(report.routeIds()).hasSize(2);
    }

    @Test
    void theDefaultSettingsDoNotServeExternalNames() {
        assertThat(Fixtures.SETTINGS.externalNames().enabled()).isFalse();
        assertThat(new TranslatorSettings("c", "x", "", "", null).externalNames())
                .isEqualTo(ExternalNamePolicy.DISABLED);
    }
}
