package io.ingressgateway.tls;

import io.ingressgateway.support.TestCertificates.Issued;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A manifest directory for the HTTPS listener's tests: Service {@code apps/web}, whose single endpoint is a backend on
 * 127.0.0.1, an Ingress with TLS for each host given a certificate (one Secret each), and one without TLS for the
 * plain hosts.
 */
final class TlsManifests {

    record TlsHost(String host, String secret, Issued certificate) {
    }

    private TlsManifests() {
    }

    static void write(Path dir, int backendPort, List<TlsHost> tlsHosts, List<String> plainHosts) {
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
                      targetPort: 8080
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
        for (TlsHost tls : tlsHosts) {
            yaml.append("""
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata:
                      namespace: apps
                      name: %s
                    type: kubernetes.io/tls
                    data:
                      tls.crt: %s
                      tls.key: %s
                    """.formatted(tls.secret(), base64(tls.certificate().certificatePem()),
                    base64(tls.certificate().keyPem())));
        }
        yaml.append(ingress("secure", tlsHosts.stream().map(TlsHost::host).toList()));
        if (!tlsHosts.isEmpty()) {
            yaml.append("  tls:\n");
            for (TlsHost tls : tlsHosts) {
                yaml.append("    - hosts: [\"%s\"]\n      secretName: %s\n".formatted(tls.host(), tls.secret()));
            }
        }
        if (!plainHosts.isEmpty()) {
            yaml.append(ingress("plain", plainHosts));
        }
        try {
            Files.writeString(dir.resolve("apps.yaml"), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ingress(String name, List<String> hosts) {
        StringBuilder yaml = new StringBuilder("""
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  namespace: apps
                  name: %s
                spec:
                  ingressClassName: ingress-gateway
                  rules:
                """.formatted(name));
        for (String host : hosts) {
            yaml.append("""
                        - host: "%s"
                          http:
                            paths:
                              - path: /
                                pathType: Prefix
                                backend:
                                  service:
                                    name: web
                                    port:
                                      number: 80
                    """.formatted(host));
        }
        return yaml.toString();
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
