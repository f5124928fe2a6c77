package io.ingressgateway.gateway.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ingresses to Service {@code apps/web} (one endpoint, a backend on 127.0.0.1), one per host: {@code open.test} with
 * no list, {@code allow.test} allowing 203.0.113.0/24 and 2001:db8::/32, {@code deny.test} denying 198.51.100.7, and
 * {@code broken.test} whose allow list cannot be read, {@code secure.test} forcing HTTPS.
 */
final class ClientAddressManifests {

    static final String OPEN = "open.test";
    static final String ALLOW = "allow.test";
    static final String DENY = "deny.test";
    static final String BROKEN = "broken.test";
    static final String SECURE = "secure.test";

    private ClientAddressManifests() {
    }

    static void write(Path dir, int backendPort) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata:
                  name: ingress-gateway
                spec:
                  controller: ingress-gateway.io/controller
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  namespace: apps
                  name: web
                spec:
                  ports:
                    - name: http
                      port: 80
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  namespace: apps
                  name: web-1
                  labels:
                    kubernetes.io/service-name: web
                addressType: IPv4
                ports:
                  - name: http
                    port: %d
                    protocol: TCP
                endpoints:
                  - addresses: ["127.0.0.1"]
                    conditions: {ready: true}
                """.formatted(backendPort));
        yaml.append(ingress("open", OPEN, ""));
        yaml.append(ingress("allow", ALLOW,
                "nginx.ingress.kubernetes.io/allowlist-source-range: \"203.0.113.0/24, 2001:db8::/32\""));
        yaml.append(ingress("deny", DENY, "nginx.ingress.kubernetes.io/denylist-source-range: \"198.51.100.7\""));
        yaml.append(ingress("broken", BROKEN,
                "nginx.ingress.kubernetes.io/whitelist-source-range: \"203.0.113.0/24, 10.0.0.0/33\""));
        yaml.append(ingress("secure", SECURE, "nginx.ingress.kubernetes.io/force-ssl-redirect: \"true\""));
        try {
            Files.writeString(dir.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ingress(String name, String host, String annotation) {
        String annotations = annotation.isEmpty() ? "" : "  annotations:\n    " + annotation + "\n";
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                %sspec:
                  ingressClassName: ingress-gateway
                  rules:
                    - host: %s
                      http:
                        paths:
                          - path: /
                            pathType: Prefix
                            backend:
                              service:
                                name: web
                                port:
                                  number: 80
                """.formatted(name, annotations, host);
    }
}
