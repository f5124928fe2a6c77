package io.ingressgateway.status;

import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import java.util.Comparator;

/**
 * One address of the gateway as written to an Ingress's {@code status.loadBalancer.ingress}: an IP or a host name,
 * never both.
 */
public record PublishAddress(String ip, String hostname) implements Comparable<PublishAddress> {

    private static final Comparator<String> NULLS_LAST = Comparator.nullsLast(Comparator.naturalOrder());
    private static final Comparator<PublishAddress> ORDER = Comparator
            .<PublishAddress, String>comparing(PublishAddress::ip, NULLS_LAST)
            .thenComparing(PublishAddress::hostname, NULLS_LAST);

    public PublishAddress {
        ip = blankToNull(ip);
        hostname = blankToNull(hostname);
    }

    public static PublishAddress ip(String ip) {
        return new PublishAddress(ip, null);
    }

    public static PublishAddress hostname(String hostname) {
        return new PublishAddress(null, hostname);
    }

    IngressLoadBalancerIngress toStatus() {
        return new IngressLoadBalancerIngressBuilder().withIp(ip).withHostname(hostname).build();
    }

    @Override
    public int compareTo(PublishAddress other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return ip != null ? ip : hostname;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
