package io.ingressgateway.support;

import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A WebSocket upstream on 127.0.0.1 (WireMock speaks no WebSocket): every path upgrades, and each text frame comes
 * back prefixed with {@code echo:}. It never closes a session on its own, so only the gateway or the client can.
 */
public final class WebSocketEchoBackend implements AutoCloseable {

    private final DisposableServer server;

    public WebSocketEchoBackend() {
        server = HttpServer.create().host("127.0.0.1").port(0)
                .handle((request, response) -> response.sendWebsocket((in, out) ->
                        out.sendString(in.receive().asString().map(text -> "echo:" + text))))
                .bindNow();
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
