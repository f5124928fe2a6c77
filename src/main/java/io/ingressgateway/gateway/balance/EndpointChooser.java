package io.ingressgateway.gateway.balance;

import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Chooses one of a route's ready endpoints for a request, for routes whose Ingress asks for something other than
 * round-robin ({@link io.ingressgateway.model.policy.BalancePolicy}). Built once per route and served model over the
 * endpoints of that model, in their order (an index is a position in that list); what must outlive a model (EWMA
 * latencies) lives in {@link EndpointChoosers}.
 */
public interface EndpointChooser {

    /** The index of the endpoint the request goes to, among the (non-empty) endpoints this chooser was built for. */
    int choose(ServerWebExchange exchange);

    /**
     * The rest of the request's handling, with what the chooser needs around it (a cookie on the response, the
     * latency of the call); the default adds nothing.
     *
     * @param chosen what {@link #choose} answered for this request
     * @param rest   the filter chain after the endpoint is chosen
     */
    default Mono<Void> around(ServerWebExchange exchange, int chosen, Mono<Void> rest) {
        return rest;
    }
}
