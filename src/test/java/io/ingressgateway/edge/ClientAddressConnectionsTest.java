package io.ingressgateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ClientAddressConnectionsTest {

    static final InetAddress ONE = address("192.0.2.1");
    static final InetAddress TWO = address("192.0.2.2");

    @Test
    void capsEachAddressOnItsOwn() {
        ClientAddressConnections connections = new ClientAddressConnections(2);

        assertThat(connections.tryOpen(ONE)).isTrue();
        assertThat(connections.tryOpen(ONE)).isTrue();
        assertThat(connections.tryOpen(ONE)).isFalse();
        assertThat(connections.tryOpen(TWO)).isTrue();
        assertThat(connections.open(ONE)).isEqualTo(2);

        connections.closed(ONE);
        assertThat(connections.tryOpen(ONE)).isTrue();
    }

    @Test
    void forgetsAnAddressOnceItsLastConnectionCloses() {
        ClientAddressConnections connections = new ClientAddressConnections(3);
        for (int i = 0; i < 1000; i++) {
            InetAddress address = address("10.0." + (i / 256) + "." + (i % 256));
            assertThat(connections.tryOpen(address)).isTrue();
            assertThat(connections.tryOpen(address)).isTrue();
            connections.closed(address);
            connections.closed(address);
        }
        assertThat(connections.addresses()).isZero();

        // A close that was never counted (refused at accept) does not go negative nor leave an entry.
        connections.closed(ONE);
        assertThat(connections.addresses()).isZero();
        assertThat(connections.open(ONE)).isZero();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
