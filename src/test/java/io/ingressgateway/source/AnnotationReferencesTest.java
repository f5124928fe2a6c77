package io.ingressgateway.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnnotationReferencesTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Map.of(), Set.of(), Set.of()),
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-secret", "users"), Set.of("shop/users"),
                        Set.of()),
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-secret", " shop/users "),
                        Set.of("shop/users"), Set.of()),
                // Our spelling and ingress-nginx's: both may be read (ours first, theirs when ours is unreadable).
                Arguments.of(Map.of("ingress-gateway.io/auth-secret", "ours",
                        "nginx.ingress.kubernetes.io/auth-secret", "theirs"), Set.of("shop/ours", "shop/theirs"),
                        Set.of()),
                // auth-secret, proxy-ssl-secret and custom-headers: the Ingress's namespace only.
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-secret", "other/users",
                        "nginx.ingress.kubernetes.io/proxy-ssl-secret", "other/ca",
                        "nginx.ingress.kubernetes.io/custom-headers", "other/headers"), Set.of(), Set.of()),
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/proxy-ssl-secret", "shop/ca",
                        "ingress-gateway.io/custom-headers", "headers"), Set.of("shop/ca"), Set.of("shop/headers")),
                // auth-proxy-set-headers (the auth service's extra headers): the Ingress's namespace only, as
                // ingress-nginx denies a cross-namespace ConfigMap.
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-url", "http://auth/",
                        "nginx.ingress.kubernetes.io/auth-proxy-set-headers", "auth-headers",
                        "ingress-gateway.io/auth-proxy-set-headers", "shop/our-auth-headers"), Set.of(),
                        Set.of("shop/auth-headers", "shop/our-auth-headers")),
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-proxy-set-headers", "other/auth-headers"),
                        Set.of(), Set.of()),
                // auth-tls-secret may name another namespace, as ingress-nginx allows.
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-tls-secret", "pki/client-ca"),
                        Set.of("pki/client-ca"), Set.of()),
                // Names that cannot be a reference are left to the translator's diagnostics.
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/auth-secret", "a/b/c",
                        "nginx.ingress.kubernetes.io/auth-tls-secret", "/ca",
                        "nginx.ingress.kubernetes.io/custom-headers", "shop/",
                        "nginx.ingress.kubernetes.io/proxy-ssl-secret", " "), Set.of(), Set.of()),
                // Other annotations name nothing to read.
                Arguments.of(Map.of("nginx.ingress.kubernetes.io/default-backend", "errors",
                        "nginx.ingress.kubernetes.io/auth-url", "http://auth/"), Set.of(), Set.of()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void referencesAreReadFromTheAnnotations(Map<String, String> annotations, Set<String> secrets,
                                             Set<String> configMaps) {
        Ingress ingress = new IngressBuilder().withNewMetadata().withNamespace("shop").withName("api")
                .withAnnotations(annotations).endMetadata().build();

        assertThat(AnnotationReferences.secrets(ingress)).isEqualTo(secrets);
        assertThat(AnnotationReferences.configMaps(ingress)).isEqualTo(configMaps);
    }
}
