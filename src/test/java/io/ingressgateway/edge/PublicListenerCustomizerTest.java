package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The customizer on a real Reactor Netty server: the backlog option, and the connection limit on the socket. */
class PublicListenerCustomizerTest {

    @Test
    void setsTheListenBacklog() {
        HttpServer server = new PublicListenerCustomizer(77, new ConnectionLimit(10)).apply(HttpServer.create());

        assertThat(server.configuration().options().get(ChannelOption.SO_BACKLOG)).isEqualTo(77);
    }

    @Test
    void closesConnectionsPastTheLimitAsTheyAreAccepted() throws IOException {
        ConnectionLimit limit = new ConnectionLimit(1);
        DisposableServer server = new PublicListenerCustomizer(16, limit)
                .apply(HttpServer.create().host("127.0.0.1").port(0))
                .handle((request, response) -> response.sendString(reactor.core.publisher.Mono.just("ok")))
                .bindNow();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> server.channel().pipeline().get(PublicListenerCustomizer.HANDLER_NAME) == limit);
        try (Socket first = connect(server.port())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> limit.open() == 1);

            try (Socket second = connect(server.port())) {
                assertThat(readOrReset(second)).isEqualTo(-1);
            }
            assertThat(limit.refused()).isEqualTo(1);
            assertThat(limit.open()).isEqualTo(1);

            first.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> limit.open() == 0);
            try (Socket third = connect(server.port())) {
                third.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                assertThat(new String(third.getInputStream().readNBytes(12))).isEqualTo("HTTP/1.1 200");
            }
        } finally {
            server.disposeNow();
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** -1 when the server closed the connection (an orderly close or a reset alike). */
    private static int readOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }
}
