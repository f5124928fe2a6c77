package io.ingressgateway.support;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real gateway, its access log on (text), in front of a {@link QuietBackend} (Service {@code apps/web} port 80):
 * {@code app.test} routes to it; {@code guarded.test} too, one request at a time
 * ({@code max-concurrent-requests: 1}); {@code private.test} too, behind basic auth; any other host gets the built-in default backend's 404; a request body over
 * 64 bytes is answered 413. The Server header and access log tests share this context (same class, same
 * properties), and the backend and manifests live as long as the JVM, as the cached context does.
 */
@ExtendWith(NoBlockingOnEventLoops.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "management.server.port=0",
        "management.server.address=127.0.0.1",
        "ingress-gateway.source=manifests",
        "ingress-gateway.request-body.max-size=64B",
        "ingress-gateway.access-log.format=text"})
public abstract class ServerLogGateway {

    public static final String HOST = "app.test";
    public static final String GUARDED_HOST = "guarded.test";
    public static final String UNKNOWN_HOST = "nothing-here.test";
    /** Basic auth: user {@code carol}, password {@code secret}. */
    public static final String PRIVATE_HOST = "private.test";

    protected static final QuietBackend BACKEND = new QuietBackend();
    private static final Path MANIFESTS = writeManifests(BACKEND.port());

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    @DynamicPropertySource
    static void manifestDirectory(DynamicPropertyRegistry registry) {
        registry.add("ingress-gateway.manifests-dir", MANIFESTS::toString);
    }

    @BeforeEach
    void awaitRoutes() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> send(request("GET", HOST, "/", "")).status() == 200);
    }

    /** An answer read off a raw HTTP/1.1 connection: status, every header line (names lower case) and body. */
    public record Answer(int status, List<String[]> headers, String body) {

        public List<String> values(String name) {
            return headers.stream().filter(h -> h[0].equals(name.toLowerCase(Locale.ROOT))).map(h -> h[1]).toList();
        }
    }

    /** {@code method path} on {@code host} with {@code extraHeaders} (CRLF-terminated lines) and Connection: close. */
    public static String request(String method, String host, String path, String extraHeaders) {
        return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders + "Connection: close\r\n\r\n";
    }

    /** Sends {@code raw} on a new connection to the public HTTP listener and reads the answer until it closes. */
    public Answer send(String raw) {
        return send(port, raw);
    }

    /** Sends {@code raw} on a new connection to {@code port} and reads the answer until the server closes it. */
    public static Answer send(int port, String raw) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, end).split("\r\n");
            List<String[]> headers = new java.util.ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.add(new String[] {lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim()});
            }
            return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, text.substring(end + 4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code test} while one request to {@code guarded.test/hold} holds the host's only place, so that requests
     * to it meanwhile are refused by its guard.
     */
    protected void whileGuardedHostIsBusy(Runnable test) {
        CompletableFuture<Answer> holding = CompletableFuture.supplyAsync(
                () -> send(request("GET", GUARDED_HOST, "/hold", "")));
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> send(request("GET", GUARDED_HOST, "/", "")).status() == 503);
            test.run();
        } finally {
            BACKEND.release();
            holding.join();
        }
    }

    private static Path writeManifests(int backendPort) {
        try {
            Path dir = Files.createTempDirectory("server-log-manifests");
            dir.toFile().deleteOnExit();
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
            // carol's password is "secret" ({SHA}, the quickest scheme to check).
            yaml.append("""
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata:
                      namespace: apps
                      name: users
                    stringData:
                      auth: "carol:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="
                    """);
            for (String[] ingress : new String[][] {{"app", HOST, "{}"},
                    {"guarded", GUARDED_HOST, "{ingress-gateway.io/max-concurrent-requests: \"1\"}"},
                    {"private", PRIVATE_HOST, "{nginx.ingress.kubernetes.io/auth-type: basic,"
                            + " nginx.ingress.kubernetes.io/auth-secret: users}"}}) {
                yaml.append("""
                        ---
                        apiVersion: networking.k8s.io/v1
                        kind: Ingress
                        metadata:
                          namespace: apps
                          name: %s
                          annotations: %s
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
                        """.formatted(ingress[0], ingress[2], ingress[1]));
            }
            Files.writeString(dir.resolve("apps.yaml"), yaml);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
