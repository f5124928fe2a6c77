package io.ingressgateway.gateway.balance;

import io.ingressgateway.gateway.client.RequestKeys;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.policy.BalancePolicy.HashKey;
import java.util.List;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code upstream-hash-by}: the request's key (nginx variables evaluated as nginx does, an absent one as empty text)
 * hashed onto a {@link HashRing} of the endpoints, so equal keys go to one endpoint while it is ready.
 */
final class HashKeyChooser implements EndpointChooser {

    private final HashKey key;
    private final HashRing ring;

    HashKeyChooser(HashKey key, List<Endpoint> endpoints) {
        this.key = key;
        this.ring = new HashRing(endpoints);
    }

    @Override
    public int choose(ServerWebExchange exchange) {
        return ring.owner(HashRing.hash(evaluate(key, exchange)));
    }

    /** The key's text for this request. */
    static String evaluate(HashKey key, ServerWebExchange exchange) {
        return RequestKeys.evaluate(key, exchange);
    }
}
