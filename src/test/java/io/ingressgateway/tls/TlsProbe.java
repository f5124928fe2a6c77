package io.ingressgateway.tls;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;

/**
 * A TLS client for the gateway's HTTPS port on 127.0.0.1 that sends a chosen SNI name (and the same Host header),
 * trusting any certificate: tests look at which certificate they got rather than whether it verifies.
 */
final class TlsProbe {

    record Response(int status, String protocol, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final int port;

    TlsProbe(int port) {
        this.port = port;
    }

    /** Completes a new handshake and returns the server's leaf certificate; {@code serverName} null sends no SNI. */
    X509Certificate handshake(String serverName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    String commonName(String serverName) throws Exception {
        return handshake(serverName).getSubjectX500Principal().getName().replace("CN=", "");
    }

    String negotiatedProtocol(String serverName, String... offered) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
            parameters.setApplicationProtocols(offered);
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket.getApplicationProtocol() + " " + socket.getSession().getProtocol();
        }
    }

    /** A GET over HTTPS; {@code http2} offers h2 by ALPN (with HTTP/1.1 as fallback). */
    Response get(String host, String path, boolean http2) {
        HttpClient client = HttpClient.create()
                .protocol(http2 ? new HttpProtocol[] {HttpProtocol.H2, HttpProtocol.HTTP11}
                        : new HttpProtocol[] {HttpProtocol.HTTP11})
                .secure(spec -> spec.sslContext(http2
                                ? Http2SslContextSpec.forClient().configure(b -> b.trustManager(
                                        InsecureTrustManagerFactory.INSTANCE))
                                : Http11SslContextSpec.forClient().configure(b -> b.trustManager(
                                        InsecureTrustManagerFactory.INSTANCE)))
                        .serverNames(new SNIHostName(host)))
                .responseTimeout(Duration.ofSeconds(10));
        return client.headers(h -> h.set(HttpHeaderNames.HOST, host))
                .get().uri("https://127.0.0.1:" + port + path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
                    Map<String, String> headers = new HashMap<>();
                    response.responseHeaders().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
                    return new Response(response.status().code(), response.version().text(), headers, text);
                }))
                .block(Duration.ofSeconds(15));
    }
}
