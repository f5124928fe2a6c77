package io.ingressgateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingressgateway.model.ExternalNamePolicy.Refusal;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The address classifier ExternalName upstreams go through, in the translator and on every connection. */
class ExternalNamePolicyTest {

    private static final ExternalNamePolicy POLICY = ExternalNamePolicy.of(true,
            List.of("10.96.0.0/12", "10.244.0.0/16", "fd00:10::/64"), List.of("10.96.0.10/32", "169.254.20.0/24"))
            .withGatewayAddresses(List.of(AddressRange.parse("192.0.2.44"), AddressRange.parse("2001:db8::44")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "ok", value = {
        "127.0.0.1, LOOPBACK",
        "127.255.255.254, LOOPBACK",
        "::1, LOOPBACK",
        "::ffff:127.0.0.1, LOOPBACK",
        "::127.0.0.1, LOOPBACK",
        "169.254.169.254, LINK_LOCAL",
        "169.254.0.1, LINK_LOCAL",
        "fe80::1, LINK_LOCAL",
        "febf:ffff::1, LINK_LOCAL",
        "::ffff:169.254.169.254, LINK_LOCAL",
        "0.0.0.0, UNSPECIFIED",
        "0.1.2.3, UNSPECIFIED",
        "::, UNSPECIFIED",
        "192.0.2.44, GATEWAY_ADDRESS",
        "2001:db8::44, GATEWAY_ADDRESS",
        "::ffff:192.0.2.44, GATEWAY_ADDRESS",
        "10.96.0.1, DENIED_RANGE",
        "10.111.255.255, DENIED_RANGE",
        "10.244.3.7, DENIED_RANGE",
        "fd00:10::9, DENIED_RANGE",
        "::ffff:10.244.3.7, DENIED_RANGE",
        "10.96.0.10, ok",
        "169.254.20.10, ok",
        "10.112.0.1, ok",
        "203.0.113.7, ok",
        "2001:db8::45, ok",
        "fec0::1, ok",
        "1.1.1.1, ok"})
    void classifiesAddresses(String address, Refusal expected) throws Exception {
        assertThat(POLICY.refusal(IpAddresses.parse(address))).isEqualTo(expected);
        // The same bytes as the JDK reads them: what the data plane judges after a lookup.
        assertThat(POLICY.refusal(InetAddress.getByName(address).getAddress())).isEqualTo(expected);
    }

    @Test
    void theBuiltInRulesHoldWithoutSettings() {
        ExternalNamePolicy bare = ExternalNamePolicy.enabled(List.of(), List.of());
        assertThat(bare.refusal(IpAddresses.parse("169.254.169.254"))).isEqualTo(Refusal.LINK_LOCAL);
        assertThat(bare.refusal(IpAddresses.parse("fe80::1"))).isEqualTo(Refusal.LINK_LOCAL);
        assertThat(bare.refusal(IpAddresses.parse("127.0.0.1"))).isEqualTo(Refusal.LOOPBACK);
        assertThat(bare.refusal(IpAddresses.parse("10.0.0.1"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.1", "2130706433", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01234.1.1.1",
        "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "12345::", "g::1", "fe80::1%eth0", "localhost", "", "::ffff:1.2.3",
        "1.2.3.4:80", "١٢٧.0.0.1"})
    void textThatIsNotAnIpLiteralIsNotReadAsOne(String text) {
        assertThat(IpAddresses.parse(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "0.0.0.0", "255.255.255.255", "::", "::1", "1::", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "2001:DB8::1", "::ffff:1.2.3.4", "64:ff9b::192.0.2.1", "[::1]"})
    void ipLiteralsReadAsTheJdkReadsThem(String text) throws Exception {
        String bare = text.startsWith("[") ? text.substring(1, text.length() - 1) : text;
        byte[] expected = InetAddress.getByName(bare).getAddress();
        assertThat(IpAddresses.unmapped(IpAddresses.parse(text))).isEqualTo(IpAddresses.unmapped(expected));
    }

    @Test
    void rangesAreReadAsCidrBlocksAndBadOnesNameTheSetting() {
        assertThat(AddressRange.parse("10.96.1.2/12")).hasToString("10.96.0.0/12");
        assertThat(AddressRange.parse("fd00::1/8")).hasToString("fd00:0:0:0:0:0:0:0/8");
        assertThat(AddressRange.parse("0.0.0.0/0").contains(IpAddresses.parse("8.8.8.8"))).isTrue();
        assertThat(AddressRange.parse("0.0.0.0/0").contains(IpAddresses.parse("::1"))).isFalse();
        assertThat(AddressRange.parse("10.0.0.0/9").contains(IpAddresses.parse("10.127.0.1"))).isTrue();
        assertThat(AddressRange.parse("10.0.0.0/9").contains(IpAddresses.parse("10.128.0.1"))).isFalse();
        for (String bad : List.of("10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "pods", "::/129", "10.0.0.0/-1")) {
            assertThatThrownBy(() -> ExternalNamePolicy.of(true, List.of(bad), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ingress-gateway.external-name-services.denied-cidrs").hasMessageContaining(bad);
        }
        assertThat(ExternalNamePolicy.of(false, List.of("not even read"), List.of()))
                .isEqualTo(ExternalNamePolicy.DISABLED);
    }
}
