package io.ingressgateway.globalratelimit;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.globalratelimit.SlidingWindowScript.Admission;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The global rate limits' counters in Redis, through Lettuce: one connection (Lettuce pipelines every request's
 * command over it, without blocking the caller), kept by the gateway itself while Redis is unreachable and by Lettuce's
 * reconnection once it was reached. While there is no connection, commands fail at once instead of queueing
 * ({@code REJECT_COMMANDS}), and a command Redis does not answer within the operation timeout fails: either way the
 * caller's failure mode applies, and traffic never waits on a missing Redis.
 *
 * <p>Lettuce runs its own small event loops; nothing here runs on, or blocks, the gateway's.
 */
public class RedisCounters implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisCounters.class);

    /** Where Redis is, for logs and health (never the password). */
    private final String address;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final Duration maxReconnectDelay;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;
    /** The latest failure (connecting or answering), and when; null while none happened since the latest success. */
    private volatile Failure lastFailure;
    private volatile Instant connectedSince;
    /** Connection attempts failed in a row; touched by one attempt at a time (each schedules the next). */
    private volatile int failedConnects;
    /** Watches Lettuce's (re)connections: each one clears the failure it recovered from. */
    private final Disposable activations;

    /** A failure to reach Redis or to get its answer. */
    public record Failure(String message, Instant at) {
    }

    public RedisCounters(IngressGatewayProperties.GlobalRateLimit.Redis settings) {
        this.uri = RedisURI.create(settings.url().trim());
        if (!settings.password().isEmpty()) {
            uri.setPassword(settings.password().toCharArray());
        }
        uri.setTimeout(settings.operationTimeout());
        this.address = uri.getHost() != null ? uri.getHost() + ":" + uri.getPort() : "sentinel " + uri.getSentinels();
        this.maxReconnectDelay = settings.maxReconnectDelay();
        // Two I/O threads: one connection's commands run on one of them; the other serves reconnects and timers.
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), settings.maxReconnectDelay(), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(settings.operationTimeout()))
                .build());
        this.activations = resources.eventBus().get()
                .filter(ConnectionActivatedEvent.class::isInstance)
                .subscribe(activated -> {
                    connectedSince = Instant.now();
                    lastFailure = null;
                });
    }

    /** Starts connecting, without waiting: requests before the connection is up get the failure mode. */
    public void start() {
        connect();
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((connected, error) -> {
            if (error != null) {
                fail("cannot connect to Redis at " + address + ": " + rootMessage(error));
                // Tried again after a pause that grows to the maximum; Lettuce only reconnects what once connected.
                long delay = Math.min(maxReconnectDelay.toMillis(), 100L << Math.min(failedConnects++, 10));
                if (!closed) {
                    resources.eventExecutorGroup().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
                }
                return;
            }
            if (closed) {
                connected.closeAsync();
                return;
            }
            failedConnects = 0;
            connection = connected;
            connectedSince = Instant.now();
            lastFailure = null;
            log.info("Global rate limits count in Redis at {}", address);
        });
    }

    /**
     * Counts a request under {@code key} if the key is under its limit. Completes on a Lettuce thread, or fails (not
     * connected, timed out, Redis error).
     */
    public Mono<Admission> admit(String key, int limit, long windowMillis) {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null) {
            return Mono.error(new StoreUnavailableException("not connected to Redis at " + address + " yet"));
        }
        String[] keys = {key};
        String limitText = Integer.toString(limit);
        String windowText = Long.toString(windowMillis);
        return Mono.<List<Object>>fromCompletionStage(() -> current.async()
                        .evalsha(SlidingWindowScript.SHA1, ScriptOutputType.MULTI, keys, limitText, windowText))
                // Redis forgets scripts when it restarts: EVAL sends the script itself, and Redis knows it again.
                .onErrorResume(RedisNoScriptException.class, noScript -> Mono.fromCompletionStage(() -> current.async()
                        .<List<Object>>eval(SlidingWindowScript.SOURCE, ScriptOutputType.MULTI, keys, limitText,
                                windowText)))
                .map(SlidingWindowScript.Admission::of)
                .doOnNext(admission -> lastFailure = null)
                .doOnError(error -> fail(rootMessage(error)));
    }

    private void fail(String message) {
        Failure previous = lastFailure;
        lastFailure = new Failure(message, Instant.now());
        if (previous == null) {
            log.warn("Global rate limits: {}", message);
        }
    }

    /** Whether the connection is up now. */
    public boolean connected() {
        StatefulRedisConnection<String, String> current = connection;
        return current != null && current.isOpen();
    }

    /** Where Redis is: host and port (no credentials). */
    public String address() {
        return address;
    }

    public Failure lastFailure() {
        return lastFailure;
    }

    public Instant connectedSince() {
        return connectedSince;
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    @Override
    public void close() {
        closed = true;
        activations.dispose();
        StatefulRedisConnection<String, String> current = connection;
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Redis cannot be asked now (no connection). */
    public static final class StoreUnavailableException extends RuntimeException {
        StoreUnavailableException(String message) {
            super(message, null, false, false);
        }
    }
}
