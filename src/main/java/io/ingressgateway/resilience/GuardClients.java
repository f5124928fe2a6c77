package io.ingressgateway.resilience;

import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import reactor.netty.http.client.HttpClient;

/**
 * The upstream clients of the guards: one per base client and set of timeouts, shared by every guard with those
 * timeouts. A client derived per guard would do the same requests, but each request would then read a configuration
 * of its own guard's, which with thousands of guards no recent request read; most guards have the default timeouts,
 * so most requests read one shared client.
 *
 * <p>What a guard keeps is the shared {@link Client} itself, base and derived client together: a guard's request then
 * reads, besides the guard, only an object every request with those timeouts reads, not one of its own.
 *
 * <p>Timeouts come from annotations, so the pairs are at most as many as the Ingresses; past {@link #MAX_SHARED}
 * clients a guard derives a client of its own.
 */
final class GuardClients {

    static final int MAX_SHARED = 1024;

    /** Name of the pipeline handler that bounds each write of the request while it is being sent. */
    static final String SEND_TIMEOUT_HANDLER = "ingressGatewaySendTimeout";

    private record Key(HttpClient base, Duration connectTimeout, Duration readTimeout, Duration sendTimeout) {
    }

    /** A client derived from {@code base}. */
    record Client(HttpClient base, HttpClient client) {
    }

    private final ConcurrentHashMap<Key, Client> clients = new ConcurrentHashMap<>();

    /**
     * {@code base} with a policy's connect and read timeouts. The read timeout is Reactor Netty's response timeout:
     * the longest silence between two reads of the response once the request is sent, as nginx's
     * {@code proxy_read_timeout}. The send timeout is the longest the request (head and body) may make no progress
     * towards the upstream while bytes of it wait to be written, as nginx's {@code proxy_send_timeout}
     * ({@link SendTimeoutHandler}). The handler is removed once the request is sent, so a long response never meets
     * it.
     */
    Client of(HttpClient base, GuardPolicy policy) {
        Key key = new Key(base, policy.connectTimeout(), policy.readTimeout(), policy.sendTimeout());
        Client shared = clients.get(key);
        if (shared != null) {
            return shared;
        }
        if (clients.size() >= MAX_SHARED) {
            return derive(key);
        }
        return clients.computeIfAbsent(key, GuardClients::derive);
    }

    private static Client derive(Key key) {
        return new Client(key.base(), key.base()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        key.connectTimeout().toMillis()))
                .responseTimeout(key.readTimeout())
                .doOnRequest((request, connection) -> connection.addHandlerFirst(SEND_TIMEOUT_HANDLER,
                        new SendTimeoutHandler(key.sendTimeout())))
                .doAfterRequest((request, connection) -> connection.removeHandler(SEND_TIMEOUT_HANDLER)));
    }
}
