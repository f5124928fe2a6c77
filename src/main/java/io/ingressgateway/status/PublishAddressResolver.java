package io.ingressgateway.status;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.ingressgateway.source.ClusterSnapshot;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Works out the addresses the gateway is reached at: the configured publish addresses, else those of the gateway's
 * own Service (its load balancer's ingress points, else its external IPs). The Service is read from the snapshot when
 * the source watches its namespace, otherwise fetched from the API (and remembered briefly, since a pass runs on
 * every model change). Not thread-safe: used from the status writer's thread only.
 */
public final class PublishAddressResolver {

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9a-fA-F:.]+");
    static final Duration SERVICE_CACHE_TTL = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final List<PublishAddress> fixed;
    private final String serviceNamespace;
    private final String serviceName;
    private Service fetchedService;
    private long fetchedAtNanos;
    private boolean fetched;

    /**
     * @param publishAddress comma-separated IPs and host names; empty to use the Service
     * @param publishService {@code namespace/name} of the gateway's Service; empty for none
     * @throws IllegalArgumentException when either is malformed (a configuration error, found at startup)
     */
    public PublishAddressResolver(KubernetesClient client, String publishAddress, String publishService) {
        this.client = client;
        this.fixed = parseAddresses(publishAddress == null ? "" : publishAddress);
        String service = publishService == null ? "" : publishService.trim();
        if (service.isEmpty()) {
            serviceNamespace = null;
            serviceName = null;
        } else {
            int slash = service.indexOf('/');
            if (slash <= 0 || slash == service.length() - 1 || service.indexOf('/', slash + 1) >= 0) {
                throw new IllegalArgumentException(
                        "ingress-gateway.status.publish-service must be namespace/name, got '" + publishService + "'");
            }
            serviceNamespace = service.substring(0, slash);
            serviceName = service.substring(slash + 1);
        }
    }

    /** What the addresses come from, for logs. */
    public String description() {
        if (!fixed.isEmpty()) {
            return "publish-address " + fixed;
        }
        if (serviceName != null) {
            return "Service " + serviceNamespace + "/" + serviceName;
        }
        return "nothing (neither publish-address nor publish-service is set)";
    }

    /**
     * The addresses, sorted, without duplicates; empty when none is known yet.
     *
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the Service cannot be fetched
     */
    public List<PublishAddress> resolve(ClusterSnapshot snapshot) {
        if (!fixed.isEmpty()) {
            return fixed;
        }
        if (serviceName == null) {
            return List.of();
        }
        Service service = snapshot.services().stream()
                .filter(s -> s.getMetadata() != null
                        && serviceNamespace.equals(s.getMetadata().getNamespace())
                        && serviceName.equals(s.getMetadata().getName()))
                .findFirst()
                .orElseGet(this::fetchService);
        return service == null ? List.of() : addressesOf(service);
    }

    private Service fetchService() {
        long now = System.nanoTime();
        if (fetched && now - fetchedAtNanos < SERVICE_CACHE_TTL.toNanos()) {
            return fetchedService;
        }
        fetchedService = client.services().inNamespace(serviceNamespace).withName(serviceName).get();
        fetchedAtNanos = now;
        fetched = true;
        return fetchedService;
    }

    static List<PublishAddress> addressesOf(Service service) {
        List<PublishAddress> addresses = new ArrayList<>();
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress point : service.getStatus().getLoadBalancer().getIngress()) {
                PublishAddress address = new PublishAddress(point.getIp(), point.getHostname());
                if (address.ip() != null || address.hostname() != null) {
                    // An entry carrying both keeps only its IP: Ingress status takes one or the other.
                    addresses.add(address.ip() != null ? PublishAddress.ip(address.ip()) : address);
                }
            }
        }
        if (addresses.isEmpty() && service.getSpec() != null && service.getSpec().getExternalIPs() != null) {
            service.getSpec().getExternalIPs().stream()
                    .filter(Objects::nonNull)
                    .filter(ip -> !ip.isBlank())
                    .map(PublishAddress::ip)
                    .forEach(addresses::add);
        }
        return addresses.stream().distinct().sorted().toList();
    }

    static List<PublishAddress> parseAddresses(String publishAddress) {
        List<PublishAddress> addresses = new ArrayList<>();
        for (String raw : publishAddress.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            if (isIpLiteral(entry)) {
                addresses.add(PublishAddress.ip(entry));
            } else if (entry.length() <= 253 && DNS_SUBDOMAIN.matcher(entry.toLowerCase(Locale.ROOT)).matches()) {
                addresses.add(PublishAddress.hostname(entry.toLowerCase(Locale.ROOT)));
            } else {
                throw new IllegalArgumentException("ingress-gateway.status.publish-address entry '" + entry
                        + "' is neither an IP address nor a DNS name");
            }
        }
        return addresses.stream().distinct().sorted().toList();
    }

    static boolean isIpLiteral(String value) {
        if (IPV4.matcher(value).matches()) {
            return true;
        }
        if (value.indexOf(':') < 0 || !IPV6_CHARACTERS.matcher(value).matches()) {
            return false;
        }
        // Only hex digits, dots and colons: InetAddress parses this as a literal and never asks DNS.
        try {
            InetAddress.getByName(value);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
