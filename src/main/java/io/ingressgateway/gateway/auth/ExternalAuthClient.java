package io.ingressgateway.gateway.auth;

import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * The client that asks auth services: its own bounded connection pool (never the upstreams' pools, so a slow auth
 * service cannot take connections from the applications, nor they from it), a connect timeout and a bound on the
 * whole exchange. Non-blocking throughout: names (an in-cluster Service's DNS name, say) are resolved by Netty's
 * asynchronous resolver. Redirects are not followed: a 3xx is the auth service's answer, as with nginx.
 */
public final class ExternalAuthClient implements AutoCloseable {

    private final ConnectionProvider pool;
    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param connectTimeout bound on connecting to the auth service
     * @param timeout        bound on the whole exchange, from asking for a connection to the end of the answer
     * @param maxConnections connections to all auth services together; more requests wait (within {@code timeout})
     * @param loops          the event loops to run on, or null for Reactor Netty's default ones
     */
    public ExternalAuthClient(Duration connectTimeout, Duration timeout, int maxConnections, LoopResources loops) {
        this.timeout = timeout;
        this.pool = ConnectionProvider.builder("external-auth")
                .maxConnections(maxConnections)
                .pendingAcquireMaxCount(4 * maxConnections)
                .pendingAcquireTimeout(timeout)
                .maxIdleTime(Duration.ofSeconds(30))
                .build();
        HttpClient base = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        connectTimeout.toMillis()))
                .responseTimeout(timeout)
                .followRedirect(false);
        this.client = loops == null ? base : base.runOn(loops);
    }

    /**
     * Asks the auth service: no body; the answer's body is read and dropped. Errors (refused, reset, timeout) come
     * as {@link AuthAnswer#NONE}, never as an error signal.
     */
    public Mono<AuthAnswer> ask(HttpMethod method, URI url, HttpHeaders headers) {
        return client
                .headers(out -> headers.forEach((name, values) -> out.add(name, values)))
                .request(io.netty.handler.codec.http.HttpMethod.valueOf(method.name()))
                .uri(url)
                .response((response, body) -> {
                    HttpHeaders received = new HttpHeaders();
                    response.responseHeaders().forEach(header -> received.add(header.getKey(), header.getValue()));
                    AuthAnswer answer = new AuthAnswer(response.status().code(), HttpHeaders.readOnlyHttpHeaders(
                            received));
                    return body.then(Mono.just(answer));
                })
                .next()
                .timeout(timeout)
                .defaultIfEmpty(AuthAnswer.NONE)
                .onErrorReturn(AuthAnswer.NONE);
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
