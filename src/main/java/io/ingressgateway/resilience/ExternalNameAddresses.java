package io.ingressgateway.resilience;

import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.ExternalNamePolicy.Refusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane's judge of the addresses ExternalName upstreams resolve to ({@link ExternalNamePolicy}, with the
 * gateway's own addresses added), asked by {@link ExternalNameResolverGroup} before every connection. Each refusal is
 * counted by reason ({@code ingress_gateway_upstream_address_refusals_total}) and logged, at most once a minute per
 * name: a client can cause one per request.
 */
public final class ExternalNameAddresses {

    static final String REFUSALS = UpstreamGuard.METER_PREFIX + "address.refusals";

    private static final Logger log = LoggerFactory.getLogger(ExternalNameAddresses.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Names whose last warning is remembered; past this the memory starts afresh (names come from Services). */
    private static final int MAX_WARNED_NAMES = 1024;

    private final ExternalNamePolicy policy;
    private final Map<Refusal, Counter> refusals = new EnumMap<>(Refusal.class);
    private final Map<String, Long> lastWarned = new ConcurrentHashMap<>();

    public ExternalNameAddresses(ExternalNamePolicy policy, MeterRegistry registry) {
        this.policy = policy;
        for (Refusal refusal : Refusal.values()) {
            refusals.put(refusal, Counter.builder(REFUSALS)
                    .description("Connections to ExternalName upstreams not opened: the name resolved to an address"
                            + " no upstream may have")
                    .tag("reason", refusal.tag()).register(registry));
        }
    }

    /** The gateway's own interface addresses, read once: a pod's addresses do not change while it runs. */
    public static List<AddressRange> interfaceAddresses() {
        List<AddressRange> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    byte[] bytes = address.getAddress();
                    addresses.add(AddressRange.of(bytes, bytes.length * 8));
                }
            }
        } catch (SocketException e) {
            log.warn("Could not list the gateway's network interfaces; only the built-in and configured ranges"
                    + " are refused to ExternalName upstreams", e);
        }
        return List.copyOf(addresses);
    }

    ExternalNamePolicy policy() {
        return policy;
    }

    /** Null when {@code name} may be connected to at {@code address}; else the refusal, counted and logged. */
    RefusedUpstreamAddressException check(String name, InetSocketAddress address) {
        InetAddress resolved = address.getAddress();
        Refusal refusal = resolved == null ? null : policy.refusal(resolved.getAddress());
        if (refusal == null) {
            return null;
        }
        RefusedUpstreamAddressException refused =
                new RefusedUpstreamAddressException(name, resolved.getHostAddress(), refusal);
        refusals.get(refusal).increment();
        warn(name, refused);
        return refused;
    }

    private void warn(String name, RefusedUpstreamAddressException refused) {
        long now = System.nanoTime();
        Long last = lastWarned.get(name);
        if (last != null && now - last < WARN_EVERY_NANOS) {
            return;
        }
        if (lastWarned.size() >= MAX_WARNED_NAMES) {
            lastWarned.clear();
        }
        lastWarned.put(name, now);
        log.warn("ExternalName upstream {}; requests to it get 502 (logged at most once a minute per name)",
                refused.getMessage());
    }
}
