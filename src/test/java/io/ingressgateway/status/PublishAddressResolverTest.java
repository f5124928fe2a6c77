package io.ingressgateway.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.ingressgateway.source.ClusterSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishAddressResolverTest {

    @Test
    void ipLiteralsBecomeIpsAndEverythingElseHostNames() {
        assertThat(PublishAddressResolver.parseAddresses(" 10.1.2.3 ,gw.Example.com,,::1, fd00::a:1,10.1.2.3"))
                .containsExactly(
                        PublishAddress.ip("10.1.2.3"),
                        PublishAddress.ip("::1"),
                        PublishAddress.ip("fd00::a:1"),
                        PublishAddress.hostname("gw.example.com"));
        // Looks numeric, is not an IPv4 address: a (valid) DNS name.
        assertThat(PublishAddressResolver.parseAddresses("10.1.2.300"))
                .containsExactly(PublishAddress.hostname("10.1.2.300"));
    }

    @Test
    void malformedConfigurationIsRejectedAtStartup() {
        assertThatThrownBy(() -> new PublishAddressResolver(null, "gw example.com", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gw example.com");
        assertThatThrownBy(() -> new PublishAddressResolver(null, "fe80::zz", ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublishAddressResolver(null, "", "gateway"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace/name");
        assertThatThrownBy(() -> new PublishAddressResolver(null, "", "a/b/c"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publishAddressWinsOverTheServiceAndNothingConfiguredMeansNoAddress() {
        Service service = new ServiceBuilder()
                .withNewMetadata().withNamespace("ns").withName("gw").endMetadata()
                .withNewSpec().withExternalIPs("192.0.2.1").endSpec()
                .build();
        ClusterSnapshot snapshot = new ClusterSnapshot(List.of(), List.of(), List.of(service), List.of(), List.of(), 1);

        assertThat(new PublishAddressResolver(null, "198.51.100.1", "ns/gw").resolve(snapshot))
                .containsExactly(PublishAddress.ip("198.51.100.1"));
        assertThat(new PublishAddressResolver(null, "", "ns/gw").resolve(snapshot))
                .containsExactly(PublishAddress.ip("192.0.2.1"));
        assertThat(new PublishAddressResolver(null, "", "").resolve(snapshot)).isEmpty();
    }

    @Test
    void loadBalancerEntriesWinOverExternalIps() {
        Service service = new ServiceBuilder()
                .withNewSpec().withExternalIPs("192.0.2.1").endSpec()
                .withNewStatus().withNewLoadBalancer()
                    .addNewIngress().withIp("203.0.113.5").withHostname("lb.example.com").endIngress()
                    .addNewIngress().withHostname("lb2.example.com").endIngress()
                .endLoadBalancer().endStatus()
                .build();
        assertThat(PublishAddressResolver.addressesOf(service))
                .containsExactly(PublishAddress.ip("203.0.113.5"), PublishAddress.hostname("lb2.example.com"));
    }
}
