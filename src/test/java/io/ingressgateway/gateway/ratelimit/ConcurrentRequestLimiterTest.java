package io.ingressgateway.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.gateway.ratelimit.ConcurrentRequestLimiter.ClientKey;
import io.ingressgateway.model.IngressRef;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** limit-connections' count of requests in progress per Ingress and client address. */
class ConcurrentRequestLimiterTest {

    private final ConcurrentRequestLimiter limiter = new ConcurrentRequestLimiter();

    @Test
    void admitsUpToTheLimitAndAgainWhenOneEnds() throws Exception {
        ClientKey alice = new ClientKey(new IngressRef("default", "shop"), InetAddress.getByName("192.0.2.1"));
        ClientKey aliceOnBlog = new ClientKey(new IngressRef("default", "blog"), InetAddress.getByName("192.0.2.1"));
        assertThat(limiter.tryAcquire(alice, 2)).isTrue();
        assertThat(limiter.tryAcquire(alice, 2)).isTrue();
        assertThat(limiter.tryAcquire(alice, 2)).isFalse();
        assertThat(limiter.tryAcquire(aliceOnBlog, 2)).isTrue();
        limiter.release(alice);
        assertThat(limiter.tryAcquire(alice, 2)).isTrue();
        limiter.release(alice);
        limiter.release(alice);
        limiter.release(aliceOnBlog);
        // A client with nothing in progress takes no room.
        assertThat(limiter.trackedClients()).isZero();
    }
}
