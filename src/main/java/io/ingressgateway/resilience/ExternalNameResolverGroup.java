package io.ingressgateway.resilience;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.List;

/**
 * The name resolution of ExternalName upstreams, and only theirs: a DNS resolver (Reactor Netty's, asynchronous)
 * whose every answer is judged by {@link ExternalNameAddresses} before the client connects. The upstream client asks
 * its resolver on each new connection, never for a pooled one, so a name that resolves elsewhere the next time (DNS
 * rebinding) is judged again; an address literal, which the client would connect to without asking, is judged too.
 * When any address of an answer is refused, the connection fails with {@link RefusedUpstreamAddressException} and
 * nothing is opened.
 *
 * <p>Pod endpoints from EndpointSlices never come here: they are in the cluster's ranges by nature, and are reached by
 * the gateway's plain client. A client with this resolver keeps connection pools of its own (Reactor Netty keys
 * pools by the resolver too), so an ExternalName request never reuses a connection opened without the judgement.
 */
public final class ExternalNameResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final AddressResolverGroup<? extends SocketAddress> dns;
    private final ExternalNameAddresses addresses;

    /**
     * @param dns       the resolver that looks names up (the upstream client's own)
     * @param addresses the judge of what it finds
     */
    public ExternalNameResolverGroup(AddressResolverGroup<? extends SocketAddress> dns,
                                     ExternalNameAddresses addresses) {
        this.dns = dns;
        this.addresses = addresses;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new Judged((AddressResolver<SocketAddress>) dns.getResolver(executor), executor, addresses);
    }

    /** One event loop's resolver: the DNS resolver's answers, judged. */
    private static final class Judged implements AddressResolver<InetSocketAddress> {

        private final AddressResolver<SocketAddress> dns;
        private final EventExecutor executor;
        private final ExternalNameAddresses addresses;

        Judged(AddressResolver<SocketAddress> dns, EventExecutor executor, ExternalNameAddresses addresses) {
            this.dns = dns;
            this.executor = executor;
            this.addresses = addresses;
        }

        @Override
        public boolean isSupported(SocketAddress address) {
            return address instanceof InetSocketAddress;
        }

        /** Never: an address literal would otherwise be connected to without asking this resolver. */
        @Override
        public boolean isResolved(SocketAddress address) {
            return false;
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address) {
            return resolve(address, executor.newPromise());
        }

        @Override
        public Future<InetSocketAddress> resolve(SocketAddress address, Promise<InetSocketAddress> promise) {
            Promise<List<InetSocketAddress>> all = executor.newPromise();
            all.addListener(done -> {
                if (done.isSuccess()) {
                    promise.trySuccess(all.getNow().get(0));
                } else {
                    promise.tryFailure(done.cause());
                }
            });
            resolveAll(address, all);
            return promise;
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address) {
            return resolveAll(address, executor.newPromise());
        }

        @Override
        public Future<List<InetSocketAddress>> resolveAll(SocketAddress address,
                                                          Promise<List<InetSocketAddress>> promise) {
            if (!(address instanceof InetSocketAddress inet)) {
                promise.tryFailure(new UnsupportedAddressTypeException());
                return promise;
            }
            String name = inet.getHostString();
            if (!inet.isUnresolved()) {
                judge(name, List.of(inet), promise);
                return promise;
            }
            dns.resolveAll(inet).addListener(done -> {
                if (!done.isSuccess()) {
                    promise.tryFailure(done.cause());
                    return;
                }
                @SuppressWarnings("unchecked")
                List<SocketAddress> found = (List<SocketAddress>) done.getNow();
                judge(name, found.stream().map(InetSocketAddress.class::cast).toList(), promise);
            });
            return promise;
        }

        /** Succeeds with every address only when none is refused: a name that leads anywhere refused is refused. */
        private void judge(String name, List<InetSocketAddress> found, Promise<List<InetSocketAddress>> promise) {
            if (found.isEmpty()) {
                promise.tryFailure(new UnknownHostException(name));
                return;
            }
            for (InetSocketAddress candidate : found) {
                RefusedUpstreamAddressException refused = addresses.check(name, candidate);
                if (refused != null) {
                    promise.tryFailure(refused);
                    return;
                }
            }
            promise.trySuccess(found);
        }

        /** The DNS resolver is its group's to close. */
        @Override
        public void close() {
        }
    }
}
