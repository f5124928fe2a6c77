package io.ingressgateway.edge;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client IP address, each address capped. An address is only remembered while it has a
 * connection open: its entry goes when its count reaches 0, so memory is bounded by the open connections, whatever
 * addresses come and go.
 */
final class ClientAddressConnections {

    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    ClientAddressConnections(int maxPerAddress) {
        if (maxPerAddress < 1) {
            throw new IllegalArgumentException("maxPerAddress must be positive");
        }
        this.maxPerAddress = maxPerAddress;
    }

    /** Counts one more connection from {@code address}; false, counting nothing, when it already has the maximum. */
    boolean tryOpen(InetAddress address) {
        boolean[] opened = {false};
        open.compute(address, (key, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerAddress) {
                return count;
            }
            opened[0] = true;
            return current + 1;
        });
        return opened[0];
    }

    void closed(InetAddress address) {
        open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }

    int maxPerAddress() {
        return maxPerAddress;
    }

    /** Connections open from {@code address}. */
    int open(InetAddress address) {
        return open.getOrDefault(address, 0);
    }

    /** Addresses with at least one open connection: the entries held. */
    int addresses() {
        return open.size();
    }
}
