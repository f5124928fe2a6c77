package io.ingressgateway.edge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One Ingress, {@code app.test} to Service {@code apps/web}, whose single endpoint is a backend on 127.0.0.1. */
final class EdgeManifests {

    static final String HOST = "app.test";

    private EdgeManifests() {
    }

    static void write(Path dir, int backendPort) {
        try {
            Files.writeString(dir.resolve("app.yaml"), """
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
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      namespace: apps
                      name: app
                    spec:
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
                    """.formatted(backendPort, HOST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One more rule, {@code host} (null for a rule without host: every other host) to Service
     * {@code apps/<service>} with a single endpoint on 127.0.0.1.
     */
    static void writeHost(Path dir, String host, String service, int backendPort) {
        try {
            Files.writeString(dir.resolve(service + ".yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata:
                      namespace: apps
                      name: %2$s
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
                      name: %2$s-1
                      labels:
                        kubernetes.io/service-name: %2$s
                    addressType: IPv4
                    ports:
                      - name: http
                        port: %1$d
                        protocol: TCP
                    endpoints:
                      - addresses: ["127.0.0.1"]
                        conditions: {ready: true}
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      namespace: apps
                      name: %2$s
                    spec:
                      ingressClassName: ingress-gateway
                      rules:
                        - %3$shttp:
                            paths:
                              - path: /
                                pathType: Prefix
                                backend:
                                  service:
                                    name: %2$s
                                    port:
                                      number: 80
                    """.formatted(backendPort, service, host == null ? "" : "host: " + host + "\n      "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
