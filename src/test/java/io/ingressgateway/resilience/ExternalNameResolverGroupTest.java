package io.ingressgateway.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.ExternalNamePolicy.Refusal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;

/**
 * The ExternalName resolver over the upstream client's real DNS resolver (Reactor Netty's, which reads the hosts file
 * for {@code localhost}): every answer judged, address literals included, which the client would otherwise connect
 * to without asking.
 */
class ExternalNameResolverGroupTest {

    /** A loop of Reactor Netty's own, of the kind its DNS resolver runs on. */
    private final EventLoop executor = HttpResources.get().onClient(LoopResources.DEFAULT_NATIVE).next();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExternalNameResolverGroup group = new ExternalNameResolverGroup(
            HttpClient.create().configuration().defaultAddressResolverGroup(),
            new ExternalNameAddresses(ExternalNamePolicy.of(true, List.of("10.96.0.0/12"), List.of("127.0.0.2")),
                    registry));
    private final AddressResolver<InetSocketAddress> resolver = group.getResolver(executor);

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefused() {
        Future<List<InetSocketAddress>> found =
                resolver.resolveAll(InetSocketAddress.createUnresolved("localhost", 80)).awaitUninterruptibly();

        assertThat(found.cause()).isInstanceOfSatisfying(RefusedUpstreamAddressException.class, refused -> {
            assertThat(refused.refusal()).isEqualTo(Refusal.LOOPBACK);
            assertThat(refused.getMessage()).startsWith("'localhost' resolved to ");
        });
        assertThat(registry.get(ExternalNameAddresses.REFUSALS).tag("reason", "loopback").counter().count())
                .isEqualTo(1);
    }

    @Test
    void addressLiteralsAreJudgedToo() throws Exception {
        InetSocketAddress metadata = new InetSocketAddress(InetAddress.getByName("169.254.169.254"), 80);
        assertThat(resolver.isResolved(metadata)).as("never skipped as already resolved").isFalse();
        assertThat(resolver.resolve(metadata).awaitUninterruptibly().cause())
                .isInstanceOfSatisfying(RefusedUpstreamAddressException.class,
                        refused -> assertThat(refused.refusal()).isEqualTo(Refusal.LINK_LOCAL));
        InetSocketAddress serviceRange = new InetSocketAddress(InetAddress.getByName("10.100.0.1"), 80);
        assertThat(resolver.resolve(serviceRange).awaitUninterruptibly().cause())
                .isInstanceOfSatisfying(RefusedUpstreamAddressException.class,
                        refused -> assertThat(refused.refusal()).isEqualTo(Refusal.DENIED_RANGE));

        InetSocketAddress allowed = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 80);
        assertThat(resolver.resolve(allowed).awaitUninterruptibly().getNow()).isEqualTo(allowed);
        InetSocketAddress outside = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 443);
        assertThat(resolver.resolveAll(outside).awaitUninterruptibly().getNow()).containsExactly(outside);
    }
}
