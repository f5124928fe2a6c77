package io.ingressgateway.gateway.access;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.AddressRange;
import io.ingressgateway.model.IpAddresses;
import io.ingressgateway.model.policy.AddressBlock;
import io.ingressgateway.model.policy.SourceRangePolicy;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The allow and deny lists (ingress-nginx's {@code allow}/{@code deny} lines of a location): a request whose client
 * ({@link ClientAddress}, so PROXY protocol and trusted proxies count) is refused by its route's
 * {@link SourceRangePolicy}, or by the global lists where the route's Ingress sets none, is answered 403 and never
 * reaches the upstream. In the access phase, as in nginx: after rewrites, redirects, CORS pre-flights and rate limits,
 * before authentication.
 */
public final class SourceRangeFilter implements GlobalFilter, Ordered {

    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 130;

    private final List<AddressBlock> defaultAllowlist;
    private final List<AddressBlock> defaultDenylist;

    /** @throws IllegalArgumentException naming the setting and the entry that is neither a CIDR block nor an address */
    public SourceRangeFilter(IngressGatewayProperties.SourceRanges defaults) {
        this.defaultAllowlist = blocks("ingress-gateway.source-ranges.allowlist", defaults.allowlist());
        this.defaultDenylist = blocks("ingress-gateway.source-ranges.denylist", defaults.denylist());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        SourceRangePolicy policy = ServedRoute.policyOf(exchange, SourceRangePolicy.class);
        if (policy == null && defaultAllowlist.isEmpty() && defaultDenylist.isEmpty()) {
            return chain.filter(exchange);
        }
        if (admits(policy, ClientAddress.of(exchange))) {
            return chain.filter(exchange);
        }
        return GatewayErrorResponses.write(exchange, HttpStatus.FORBIDDEN, "Access to this resource is denied.");
    }

    /** Whether the client may use a route with {@code policy} (null: the global lists alone). */
    boolean admits(SourceRangePolicy policy, InetAddress client) {
        if (policy != null && policy.refusal() != null) {
            return false;
        }
        List<AddressBlock> allow = policy != null && policy.allowlist() != null ? policy.allowlist() : defaultAllowlist;
        List<AddressBlock> deny = policy != null && policy.denylist() != null ? policy.denylist() : defaultDenylist;
        if (allow.isEmpty() && deny.isEmpty()) {
            return true;
        }
        if (client == null) {
            return false; // no address to judge (not a socket): a list applies, so closed
        }
        // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d; it is judged as the IPv4 address it is.
        return SourceRangePolicy.admits(IpAddresses.unmapped(client.getAddress()), allow, deny);
    }

    private static List<AddressBlock> blocks(String setting, List<String> cidrs) {
        List<AddressBlock> blocks = new ArrayList<>();
        for (String cidr : cidrs) {
            try {
                AddressRange range = AddressRange.parse(cidr);
                blocks.add(AddressBlock.of(range.network(), range.prefixLength()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(blocks);
    }
}
