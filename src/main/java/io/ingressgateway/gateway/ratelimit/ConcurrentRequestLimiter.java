package io.ingressgateway.gateway.ratelimit;

import io.ingressgateway.model.IngressRef;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code limit-connections} of every Ingress: how many requests each client address has in progress on the
 * Ingress's routes, as nginx's {@code limit_conn} counts them (a connection counts while it has a request in
 * progress, so with HTTP/2 each stream counts). A client's count exists only while it has requests in progress, so
 * the state is bounded by the requests in progress (which the listener bounds).
 */
public final class ConcurrentRequestLimiter {

    /** One client address on one Ingress: like nginx's zone per Ingress, the limit is shared by its routes. */
    public record ClientKey(IngressRef ingress, InetAddress client) {
    }

    private final ConcurrentHashMap<ClientKey, Integer> inProgress = new ConcurrentHashMap<>();

    /** Counts one more request of the client when it has fewer than {@code limit} in progress; else refuses it. */
    public boolean tryAcquire(ClientKey key, int limit) {
        boolean[] acquired = new boolean[1];
        inProgress.compute(key, (k, count) -> {
            int current = count == null ? 0 : count;
            if (current >= limit) {
                return count;
            }
            acquired[0] = true;
            return current + 1;
        });
        return acquired[0];
    }

    /** The client's request admitted by {@link #tryAcquire} has ended; call once per admitted request. */
    public void release(ClientKey key) {
        inProgress.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }

    /** Requests of the client in progress now. */
    public int inProgress(ClientKey key) {
        return inProgress.getOrDefault(key, 0);
    }

    /** Client addresses with requests in progress now. */
    public int trackedClients() {
        return inProgress.size();
    }
}
