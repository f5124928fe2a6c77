package io.ingressgateway.gateway.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code load-balance: ewma}: two endpoints drawn at random, the request goes to the one with the lower
 * {@link EwmaStats#score} (the power of two choices, as ingress-nginx's balancer), and the time until its response is
 * written (retries included) updates that endpoint's average. WebSocket sessions are chosen for alike but not timed.
 */
final class EwmaChooser implements EndpointChooser {

    private final EwmaStats[] stats;
    private final LongSupplier clock;

    /** @param stats each endpoint's, in the route's endpoint order (kept across models by {@link EndpointChoosers}) */
    EwmaChooser(List<EwmaStats> stats, LongSupplier clock) {
        this.stats = stats.toArray(EwmaStats[]::new);
        this.clock = clock;
    }

    @Override
    public int choose(ServerWebExchange exchange) {
        return pick();
    }

    /** The lower-scored of two distinct random endpoints (the only one when there is one). */
    int pick() {
        int size = stats.length;
        if (size == 1) {
            return 0;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int first = random.nextInt(size);
        int second = random.nextInt(size - 1);
        if (second >= first) {
            second++;
        }
        return stats[second].score() < stats[first].score() ? second : first;
    }

    @Override
    public Mono<Void> around(ServerWebExchange exchange, int chosen, Mono<Void> rest) {
        if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
            // A session's length says nothing of the endpoint's speed: it would read as one very slow response.
            return rest;
        }
        EwmaStats endpoint = stats[chosen];
        return Mono.defer(() -> {
            long start = clock.getAsLong();
            endpoint.started();
            return rest.doFinally(signal -> endpoint.finished(clock.getAsLong() - start));
        });
    }
}
