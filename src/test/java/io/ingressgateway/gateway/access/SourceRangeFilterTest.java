package io.ingressgateway.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.model.policy.AddressBlock;
import io.ingressgateway.model.policy.SourceRangePolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SourceRangeFilterTest {

    private static final SourceRangeFilter FILTER = new SourceRangeFilter(new IngressGatewayProperties.SourceRanges(
            List.of("10.0.0.0/8"), List.of("10.6.6.6")));

    static Stream<Arguments> cases() {
        SourceRangePolicy ownAllow = new SourceRangePolicy(List.of(block(192, 0, 2, 0, 24)), null, null);
        SourceRangePolicy ownDeny = new SourceRangePolicy(null, List.of(block(10, 1, 0, 0, 16)), null);
        return Stream.of(
                // The global lists alone.
                Arguments.of(null, "10.1.2.3", true),
                Arguments.of(null, "192.0.2.1", false),
                Arguments.of(null, "10.6.6.6", false),
                // An IPv4 client seen through a dual-stack socket is judged as its IPv4 address.
                Arguments.of(null, "::ffff:10.1.2.3", true),
                // An Ingress's allow list replaces the global one; the global deny list still applies.
                Arguments.of(ownAllow, "192.0.2.1", true),
                Arguments.of(ownAllow, "10.1.2.3", false),
                // An Ingress's deny list replaces the global one; the global allow list still applies.
                Arguments.of(ownDeny, "10.6.6.6", true),
                Arguments.of(ownDeny, "10.1.2.3", false),
                Arguments.of(SourceRangePolicy.refusingAll("unreadable"), "10.1.2.3", false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void anIngressListReplacesTheGlobalListOfItsKind(SourceRangePolicy policy, String client, boolean admitted)
            throws Exception {
        InetAddress address = InetAddress.getByAddress(io.ingressgateway.model.IpAddresses.parse(client));

        assertThat(FILTER.admits(policy, address)).isEqualTo(admitted);
    }

    @Test
    void withoutAnyListEveryoneIsAdmittedAndWithOneAnUnknownAddressIsNot() throws Exception {
        SourceRangeFilter open = new SourceRangeFilter(new IngressGatewayProperties.SourceRanges(List.of(),
                List.of()));

        assertThat(open.admits(null, InetAddress.getByName("192.0.2.1"))).isTrue();
        assertThat(open.admits(null, null)).isTrue();
        assertThat(FILTER.admits(null, null)).isFalse();
    }

    @Test
    void anInvalidGlobalEntryStopsTheGatewayNamingTheSetting() {
        assertThatThrownBy(() -> new SourceRangeFilter(new IngressGatewayProperties.SourceRanges(List.of(),
                List.of("10.0.0.0/40")))).hasMessageContaining("ingress-gateway.source-ranges.denylist")
                .hasMessageContaining("10.0.0.0/40");
    }

    private static AddressBlock block(int a, int b, int c, int d, int prefix) {
        return AddressBlock.of(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, prefix);
    }
}
