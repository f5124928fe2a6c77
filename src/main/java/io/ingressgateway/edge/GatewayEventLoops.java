package io.ingressgateway.edge;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * The data plane's own event loops: one set for the public listener ({@code gateway-http-*}, plus one acceptor
 * thread) and one for the client that talks to upstreams ({@code gateway-upstream-*}). Neither is Reactor Netty's
 * JVM-wide default group, which the management server would otherwise share.
 */
public final class GatewayEventLoops implements AutoCloseable {

    public static final String SERVER_PREFIX = "gateway-http";
    public static final String UPSTREAM_PREFIX = "gateway-upstream";

    /** Short: by the time the loops are disposed the server has already drained (graceful shutdown). */
    private static final Duration QUIET_PERIOD = Duration.ofMillis(100);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final LoopResources server;
    private final LoopResources upstream;

    public GatewayEventLoops(int serverThreads, int upstreamThreads) {
        // One dedicated acceptor thread: connections keep being accepted (and refused past the limit) even while
        // every worker is busy.
        this.server = LoopResources.create(SERVER_PREFIX, 1, serverThreads, true);
        this.upstream = LoopResources.create(UPSTREAM_PREFIX, upstreamThreads, true);
    }

    public LoopResources server() {
        return server;
    }

    public LoopResources upstream() {
        return upstream;
    }

    /**
     * The groups that do the work, by name, as the transports will use them: the server's acceptor and workers, and
     * the upstream client's loops (a client colocates on its resources' server group). Creates them if needed.
     */
    public Map<String, EventLoopGroup> groups() {
        Map<String, EventLoopGroup> groups = new LinkedHashMap<>();
        groups.put(SERVER_PREFIX + "-acceptor", server.onServerSelect(LoopResources.DEFAULT_NATIVE));
        groups.put(SERVER_PREFIX, server.onServer(LoopResources.DEFAULT_NATIVE));
        groups.put(UPSTREAM_PREFIX, upstream.onServer(LoopResources.DEFAULT_NATIVE));
        return groups;
    }

    @Override
    public void close() {
        Mono.when(server.disposeLater(QUIET_PERIOD, SHUTDOWN_TIMEOUT),
                        upstream.disposeLater(QUIET_PERIOD, SHUTDOWN_TIMEOUT))
                .block(SHUTDOWN_TIMEOUT.plusSeconds(1));
    }
}
