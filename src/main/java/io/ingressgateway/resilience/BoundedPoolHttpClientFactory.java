package io.ingressgateway.resilience;

import io.ingressgateway.config.IngressGatewayProperties.Resilience.UpstreamPool;
import java.util.List;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.cloud.gateway.config.HttpClientFactory;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.config.HttpClientSslConfigurer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The gateway's upstream client factory with a bounded connection pool per endpoint: at most {@code maxConnections}
 * connections, at most {@code maxPendingAcquires} requests waiting for one, each for at most
 * {@code pendingAcquireTimeout}. Past those the request fails at once (answered 503) instead of queueing without
 * bound, which the gateway's own pool types do not offer (elastic never bounds, fixed queues without limit). Idle,
 * lifetime, eviction, metrics and leasing settings still come from {@code spring.cloud.gateway.server.webflux.httpclient.pool}.
 */
public class BoundedPoolHttpClientFactory extends HttpClientFactory {

    private final UpstreamPool bounds;

    public BoundedPoolHttpClientFactory(HttpClientProperties properties, ServerProperties serverProperties,
                                        HttpClientSslConfigurer sslConfigurer,
                                        List<HttpClientCustomizer> customizers, UpstreamPool bounds) {
        super(properties, serverProperties, sslConfigurer, customizers);
        this.bounds = bounds;
    }

    @Override
    protected ConnectionProvider buildConnectionProvider(HttpClientProperties properties) {
        HttpClientProperties.Pool pool = properties.getPool();
        if (pool.getType() == HttpClientProperties.Pool.PoolType.DISABLED) {
            return super.buildConnectionProvider(properties);
        }
        ConnectionProvider.Builder builder = ConnectionProvider.builder(pool.getName())
                .maxConnections(bounds.maxConnections())
                .pendingAcquireMaxCount(bounds.maxPendingAcquires())
                .pendingAcquireTimeout(bounds.pendingAcquireTimeout());
        if (pool.getMaxIdleTime() != null) {
            builder.maxIdleTime(pool.getMaxIdleTime());
        }
        if (pool.getMaxLifeTime() != null) {
            builder.maxLifeTime(pool.getMaxLifeTime());
        }
        if (pool.getEvictionInterval() != null) {
            builder.evictInBackground(pool.getEvictionInterval());
        }
        builder.metrics(pool.isMetrics());
        if (pool.getLeasingStrategy() == HttpClientProperties.Pool.LeasingStrategy.LIFO) {
            builder.lifo();
        } else {
            builder.fifo();
        }
        return builder.build();
    }
}
