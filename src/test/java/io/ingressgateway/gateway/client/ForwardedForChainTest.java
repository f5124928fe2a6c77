package io.ingressgateway.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ForwardedForChainTest {

    private static final TrustedProxies PROXIES = TrustedProxies.of(List.of("10.0.0.0/8", "fd00::/8"));

    static Stream<Arguments> chains() {
        return Stream.of(
                Arguments.of(List.of(), "10.0.0.1"),
                Arguments.of(List.of("203.0.113.5"), "203.0.113.5"),
                // From the right: the first address that is not a trusted proxy's.
                Arguments.of(List.of("198.51.100.1, 203.0.113.5, 10.1.1.1"), "203.0.113.5"),
                Arguments.of(List.of("198.51.100.1", "203.0.113.5"), "203.0.113.5"),
                // Every one trusted: the leftmost.
                Arguments.of(List.of("10.2.2.2, 10.3.3.3"), "10.2.2.2"),
                // Not an address: the walk stops at what the trusted hop to its right said.
                Arguments.of(List.of("203.0.113.5, unknown, 10.3.3.3"), "10.3.3.3"),
                Arguments.of(List.of("garbage"), "10.0.0.1"),
                Arguments.of(List.of("2001:db8::1, fd00::2"), "2001:db8::1"),
                Arguments.of(List.of("[2001:db8::7]"), "2001:db8::7"),
                Arguments.of(List.of(" , 203.0.113.9 ,"), "203.0.113.9"));
    }

    @ParameterizedTest
    @MethodSource("chains")
    void theClientIsTheFirstUntrustedAddressFromTheRight(List<String> values, String client) throws Exception {
        InetAddress sender = InetAddress.getByName("10.0.0.1");

        assertThat(ForwardedForChain.client(sender, values, PROXIES)).isEqualTo(InetAddress.getByName(client));
    }

    @ParameterizedTest
    @MethodSource("fullChains")
    void theFullChainAppendsTheSender(List<String> incoming, String expected) throws Exception {
        assertThat(ClientAddressWebFilter.fullChain(incoming, InetAddress.getByName("10.0.0.1"))).isEqualTo(expected);
    }

    static Stream<Arguments> fullChains() {
        return Stream.of(
                Arguments.of(List.of(), "10.0.0.1"),
                Arguments.of(List.of("203.0.113.5"), "203.0.113.5, 10.0.0.1"),
                Arguments.of(List.of("198.51.100.1, 203.0.113.5", "192.0.2.1"),
                        "198.51.100.1, 203.0.113.5, 192.0.2.1, 10.0.0.1"));
    }

    @ParameterizedTest
    @MethodSource("trust")
    void anIpv4MappedPeerIsJudgedAsItsIpv4Address(String address, boolean trusted) throws Exception {
        assertThat(PROXIES.trusts(InetAddress.getByAddress(bytes(address)))).isEqualTo(trusted);
    }

    static Stream<Arguments> trust() {
        return Stream.of(Arguments.of("10.1.2.3", true), Arguments.of("::ffff:10.1.2.3", true),
                Arguments.of("::ffff:192.0.2.1", false), Arguments.of("fd12::1", true),
                Arguments.of("2001:db8::1", false));
    }

    /** InetAddress.getByName turns a mapped IPv6 literal into IPv4 itself; a socket may hand over the 16 bytes. */
    private static byte[] bytes(String literal) {
        return io.ingressgateway.model.IpAddresses.parse(literal);
    }
}
