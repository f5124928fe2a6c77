package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.config.IngressGatewayProperties;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The customizer on a real Reactor Netty server: the backlog option, the keep-alive idle timeout and request size
 * limits, and the connection limit on the socket.
 */
class PublicListenerCustomizerTest {

    static final ClientTimeouts TIMEOUTS = new ClientTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60),
            Duration.ofSeconds(60), null);

    /** The listener's defaults, with the given backlog. */
    static IngressGatewayProperties.Listener settings(int backlog) {
        return new IngressGatewayProperties.Listener(backlog, 16384, 4096, Duration.ofSeconds(1),
                Duration.ofSeconds(10), 80, Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(75),
                DataSize.ofKilobytes(8), DataSize.ofKilobytes(32), 0, 8192, Duration.ofSeconds(60));
    }

    @Test
    void setsTheListenBacklog() {
        HttpServer server = new PublicListenerCustomizer(settings(77), new ConnectionLimit(10), TIMEOUTS)
                .apply(HttpServer.create());

        assertThat(server.configuration().options().get(ChannelOption.SO_BACKLOG)).isEqualTo(77);
    }

    @Test
    void setsTheKeepAliveIdleTimeoutAndNginxsRequestSizeLimitsKeepingTheOtherDecoderSettings() {
        HttpServer server = new PublicListenerCustomizer(settings(16), new ConnectionLimit(10), TIMEOUTS)
                .apply(HttpServer.create().httpRequestDecoder(spec -> spec.validateHeaders(false)));

        assertThat(server.configuration().idleTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(server.configuration().decoder().maxInitialLineLength()).isEqualTo(8192);
        assertThat(server.configuration().decoder().maxHeaderSize()).isEqualTo(32768);
        assertThat(server.configuration().decoder().validateHeaders()).isFalse();
    }

    @Test
    void closesConnectionsPastTheLimitAsTheyAreAccepted() throws IOException {
        ConnectionLimit limit = new ConnectionLimit(1);
        DisposableServer server = new PublicListenerCustomizer(settings(16), limit, TIMEOUTS)
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
