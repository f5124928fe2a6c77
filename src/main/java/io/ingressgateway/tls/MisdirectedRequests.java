package io.ingressgateway.tls;

import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Answers 421 Misdirected Request (RFC 9110, 15.5.20) when a request's host is not covered by the certificate its
 * connection was established with and is another host the gateway serves over TLS. Browsers reuse an HTTP/2
 * connection for every host its certificate covers that resolves to the same address (connection coalescing); a
 * request that arrives on a connection made for another TLS host was not meant for it (a client sending one SNI name
 * and another Host: domain fronting), and the 421 tells the client to open a connection of its own for that host,
 * with that host's certificate. HTTP/1.1 over TLS is answered the same way.
 *
 * <p>A request for a host that asks clients for certificates ({@code auth-tls-*}) on a connection made for another
 * name is answered 421 too, even when the certificate covers both: that connection's handshake did not ask the client
 * for a certificate under the host's CAs, and a new one for the host will.
 *
 * <p>Served as before: requests whose host is the connection's SNI name or is covered by its certificate (an exact
 * or wildcard name), requests for hosts without a TLS rule (the gateway has no other certificate to offer), and
 * requests on connections without SNI (a client connecting by address: nothing to compare with).
 *
 * <p>Cost per request: the connection's SNI name and certificate names are recorded once at the handshake; the
 * common request (host equal to the SNI name) costs one string comparison.
 */
final class MisdirectedRequests implements BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> {

    static final String BODY = "421 Misdirected Request: open a new connection for this host\n";

    private final SniCertificates certificates;
    private final HttpsListenerMetrics metrics;
    private final BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler;
    private final String serverHeader;

    /** @param serverHeader the {@code Server} header of the 421, null for none */
    MisdirectedRequests(SniCertificates certificates, HttpsListenerMetrics metrics,
                        BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler,
                        String serverHeader) {
        this.serverHeader = serverHeader;
        this.certificates = certificates;
        this.metrics = metrics;
        this.handler = handler;
    }

    @Override
    public Publisher<Void> apply(HttpServerRequest request, HttpServerResponse response) {
        if (!isMisdirected(request)) {
            return handler.apply(request, response);
        }
        metrics.misdirected();
        if (serverHeader != null) {
            response.header(HttpHeaderNames.SERVER, serverHeader);
        }
        return response.status(HttpResponseStatus.MISDIRECTED_REQUEST)
                .header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .sendString(Mono.just(BODY));
    }

    private boolean isMisdirected(HttpServerRequest request) {
        if (!(request instanceof Connection connection)) {
            return false;
        }
        Channel channel = connection.channel();
        // HTTP/2 requests run on a stream channel; the TLS facts are on the connection's channel.
        Channel tcp = channel instanceof Http2StreamChannel ? channel.parent() : channel;
        ConnectionTls tls = tcp.attr(ConnectionTls.KEY).get();
        if (tls == null || tls.serverName() == null) {
            return false;
        }
        String host = hostOf(request.requestHeaders().get(HttpHeaderNames.HOST));
        if (host == null || host.equals(tls.serverName())) {
            return false;
        }
        if (certificates.anyClientCertificates()) {
            // A host that asks clients for certificates, reached on a connection whose handshake did not ask for its
            // CAs: a connection of its own lets the client present one.
            ClientCertificatePolicy wanted = certificates.clientCertificatePolicy(host);
            if (wanted != null && wanted.requestsCertificate()
                    && wanted != certificates.clientCertificatePolicy(tls.serverName())) {
                return true;
            }
        }
        return !tls.covers(host) && certificates.servesOverTls(host);
    }

    /**
     * The host of a Host header (HTTP/2's {@code :authority} arrives as one), lower case, without port or trailing
     * dot; null when absent or an IP literal in brackets (never a TLS host of an Ingress).
     */
    static String hostOf(String header) {
        if (header == null || header.isEmpty() || header.charAt(0) == '[') {
            return null;
        }
        int colon = header.lastIndexOf(':');
        return ConnectionTls.normalise(colon >= 0 ? header.substring(0, colon) : header);
    }
}
