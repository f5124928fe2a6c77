package io.ingressgateway.gateway.balance;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.BalancePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * Builds each route's {@link EndpointChooser} from its {@link BalancePolicy}, once per route and served model, and
 * keeps what must outlive a model: each EWMA upstream's per-endpoint latencies, by endpoint, so a new model (an
 * endpoint added elsewhere, an unrelated Ingress changed) does not forget them. A route without the policy, or
 * asking for round-robin only, gets no chooser: the caller's round-robin applies, at no extra cost.
 */
@Component
public class EndpointChoosers {

    private final ConcurrentHashMap<UpstreamKey, ConcurrentHashMap<Endpoint, EwmaStats>> ewma =
            new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public EndpointChoosers() {
        this(System::nanoTime);
    }

    EndpointChoosers(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * The chooser of a route over its upstream's endpoints, or null for round-robin.
     *
     * @param served    the served route (its policy and path), or null
     * @param endpoints the upstream's ready endpoints in this model (not empty for a chooser to be made)
     * @param upstreamExists whether an upstream key is still in the served model, to drop the state of the others
     * @param servedEndpointAttribute the exchange attribute holding the {@link Endpoint} that finally served a
     *                       request (a retry may move it off the chosen one)
     */
    public EndpointChooser forRoute(ServedRoute served, UpstreamKey upstream, List<Endpoint> endpoints,
                                    Predicate<UpstreamKey> upstreamExists, String servedEndpointAttribute) {
        BalancePolicy policy = served == null ? null : served.policy(BalancePolicy.class);
        if (policy == null || endpoints.isEmpty()) {
            return null;
        }
        if (policy.affinity() != null) {
            return new CookieAffinityChooser(policy.affinity(), cookiePath(served), upstream, endpoints,
                    servedEndpointAttribute);
        }
        if (policy.hashBy() != null) {
            return new HashKeyChooser(policy.hashBy(), endpoints);
        }
        if (policy.algorithm() == BalancePolicy.Algorithm.EWMA) {
            return new EwmaChooser(ewmaStats(upstream, endpoints, upstreamExists), clock);
        }
        return null;
    }

    /**
     * How affinity cookies name an endpoint of an upstream: 16 hex digits of a SHA-256 of both, the same in every
     * gateway replica, revealing no address.
     */
    public static String cookieToken(UpstreamKey upstream, Endpoint endpoint) {
        return CookieAffinityChooser.token(upstream, endpoint);
    }

    /** ingress-nginx's default cookie Path: the location's path; a regular expression is no path, so {@code /}. */
    private static String cookiePath(ServedRoute served) {
        io.ingressgateway.model.Route rule = served.rule();
        if (rule == null || rule.path() == null || rule.path().type() == PathMatch.Type.REGEX) {
            return "/";
        }
        return rule.path().path();
    }

    List<EwmaStats> ewmaStats(UpstreamKey upstream, List<Endpoint> endpoints,
                                      Predicate<UpstreamKey> upstreamExists) {
        // Built once per route and model: the time to forget upstreams the model dropped.
        ewma.keySet().removeIf(key -> !upstreamExists.test(key));
        ConcurrentHashMap<Endpoint, EwmaStats> byEndpoint = ewma.computeIfAbsent(upstream,
                key -> new ConcurrentHashMap<>());
        byEndpoint.keySet().retainAll(new java.util.HashSet<>(endpoints));
        double slowStart = meanAverage(byEndpoint.values());
        List<EwmaStats> stats = new ArrayList<>(endpoints.size());
        for (Endpoint endpoint : endpoints) {
            stats.add(byEndpoint.computeIfAbsent(endpoint, e -> new EwmaStats(clock, slowStart)));
        }
        return stats;
    }

    /** The mean average latency of the endpoints that have one, 0 when none has. */
    private static double meanAverage(java.util.Collection<EwmaStats> known) {
        double total = 0;
        int count = 0;
        for (EwmaStats stats : known) {
            double average = stats.average();
            if (average > 0) {
                total += average;
                count++;
            }
        }
        return count == 0 ? 0 : total / count;
    }
}
