package io.ingressgateway.upstream;

import io.ingressgateway.support.TestCertificates.Issued;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A real upstream on 127.0.0.1 for the backend-protocol tests, in one of four shapes: HTTP/1.1 over TLS (optionally
 * requiring a client certificate), HTTP/1.1 and h2c on one port, or HTTP/2 over TLS. It records what each request
 * carried. A request with {@code content-type: application/grpc} gets a gRPC-shaped answer: a length-prefixed message
 * saying what it received, then the trailers {@code grpc-status: 0} and {@code grpc-message}; any other gets text.
 */
final class LoopbackUpstream implements AutoCloseable {

    /** One request as the upstream received it. */
    record Received(String protocol, String method, String path, String host, String contentType, String te,
                    byte[] body, List<String> serverNames, String clientCertificate) {
    }

    private final String name;
    private final DisposableServer server;
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** Chunks of request bodies as they arrive, before the request is over. */
    final List<byte[]> chunks = new CopyOnWriteArrayList<>();

    private LoopbackUpstream(String name, HttpServer server) {
        this.name = name;
        this.server = server.host("127.0.0.1").port(0).handle(this::handle).bindNow();
    }

    static LoopbackUpstream https(String name, Issued certificate, X509Certificate requiredClient) {
        return https(name, certificate, requiredClient, null);
    }

    /** @param onlyTlsVersion the one TLS version the upstream speaks, or null for the JDK's */
    static LoopbackUpstream https(String name, Issued certificate, X509Certificate requiredClient,
                                  String onlyTlsVersion) {
        return new LoopbackUpstream(name, HttpServer.create().protocol(HttpProtocol.HTTP11).secure(spec -> spec
                .sslContext(Http11SslContextSpec.forServer(certificate.keys().getPrivate(), certificate.certificate())
                        .configure(builder -> {
                            if (requiredClient != null) {
                                builder.clientAuth(ClientAuth.REQUIRE).trustManager(requiredClient);
                            }
                            if (onlyTlsVersion != null) {
                                builder.protocols(onlyTlsVersion);
                            }
                        }))));
    }

    static LoopbackUpstream cleartextHttp1AndH2c(String name) {
        return new LoopbackUpstream(name, HttpServer.create().protocol(HttpProtocol.HTTP11, HttpProtocol.H2C));
    }

    static LoopbackUpstream h2(String name, Issued certificate) {
        return new LoopbackUpstream(name, HttpServer.create().protocol(HttpProtocol.H2).secure(spec -> spec
                .sslContext(Http2SslContextSpec.forServer(certificate.keys().getPrivate(),
                        certificate.certificate()).configure(builder -> builder
                        .trustManager(InsecureTrustManagerFactory.INSTANCE)))));
    }

    int port() {
        return server.port();
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        List<String> serverNames = new ArrayList<>();
        String[] clientCertificate = {null};
        request.withConnection(connection -> {
            SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
            if (ssl == null && connection.channel().parent() != null) {
                ssl = connection.channel().parent().pipeline().get(SslHandler.class);
            }
            if (ssl != null) {
                SSLSession session = ssl.engine().getSession();
                if (session instanceof ExtendedSSLSession extended) {
                    for (SNIServerName sni : extended.getRequestedServerNames()) {
                        if (sni instanceof SNIHostName host) {
                            serverNames.add(host.getAsciiName());
                        }
                    }
                }
                try {
                    clientCertificate[0] = ((X509Certificate) session.getPeerCertificates()[0])
                            .getSubjectX500Principal().getName();
                } catch (Exception none) {
                    // no client certificate
                }
            }
        });
        String contentType = request.requestHeaders().get("content-type");
        boolean grpc = contentType != null && contentType.startsWith("application/grpc");
        return request.receive().asByteArray()
                .doOnNext(chunks::add)
                .collectList()
                .flatMap(parts -> {
                    byte[] body = concat(parts);
                    received.add(new Received(request.version().text(), request.method().name(), request.uri(),
                            request.requestHeaders().get("host"), contentType, request.requestHeaders().get("te"),
                            body, serverNames, clientCertificate[0]));
                    if (!grpc) {
                        return response.header("content-type", "text/plain")
                                .sendString(Mono.just(name + " " + request.version().text()))
                                .then();
                    }
                    String message = new String(body, 5, Math.max(0, body.length - 5), StandardCharsets.UTF_8);
                    return response.header("content-type", "application/grpc")
                            .trailerHeaders(trailers -> trailers.set("grpc-status", "0")
                                    .set("grpc-message", "answered-by-" + name))
                            .sendByteArray(Flux.just(grpcMessage("pong:" + message)))
                            .then();
                });
    }

    /** A gRPC length-prefixed message: uncompressed flag, 4-byte big-endian length, the bytes. */
    static byte[] grpcMessage(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes).array();
    }

    private static byte[] concat(List<byte[]> parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        parts.forEach(all::put);
        return all.array();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
