package io.ingressgateway.resilience;

import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import reactor.netty.http.client.HttpClient;

/**
 * The upstream clients of the guards: one per base client and pair of timeouts, shared by every guard with those
 * timeouts. A client derived per guard would do the same requests, but each request would then read a configuration
 * of its own guard's, which with thousands of guards no recent request read (docs/benchmarks.md, route scale); most
 * guards have the default timeouts, so most requests read one shared client.
 *
 * <p>Timeouts come from annotations, so the pairs are at most as many as the Ingresses; past {@link #MAX_SHARED}
 * clients a guard derives its own, as it did before.
 */
final class GuardClients {

    static final int MAX_SHARED = 1024;

    private record Key(HttpClient base, Duration connectTimeout, Duration readTimeout) {
    }

    private final ConcurrentHashMap<Key, HttpClient> clients = new ConcurrentHashMap<>();

    /**
     * {@code base} with a policy's connect and read timeouts. The read timeout is Reactor Netty's response timeout:
     * the longest silence between two reads of the response once the request is sent, as nginx's
     * {@code proxy_read_timeout}.
     */
    HttpClient of(HttpClient base, GuardPolicy policy) {
        Key key = new Key(base, policy.connectTimeout(), policy.readTimeout());
        HttpClient shared = clients.get(key);
        if (shared != null) {
            return shared;
        }
        if (clients.size() >= MAX_SHARED) {
            return derive(key);
        }
        return clients.computeIfAbsent(key, GuardClients::derive);
    }

    private static HttpClient derive(Key key) {
        return key.base()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        key.connectTimeout().toMillis()))
                .responseTimeout(key.readTimeout());
    }
}
