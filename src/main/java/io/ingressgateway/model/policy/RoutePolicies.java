package io.ingressgateway.model.policy;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The policies of one route, at most one per policy type: what each annotation family of its Ingress set. A family
 * that sets nothing has no entry, so most routes share {@link #NONE}. Immutable; equal when the policies are equal.
 */
public final class RoutePolicies {

    public static final RoutePolicies NONE = new RoutePolicies(Map.of());

    private final Map<Class<? extends RoutePolicy>, RoutePolicy> byType;

    private RoutePolicies(Map<Class<? extends RoutePolicy>, RoutePolicy> byType) {
        this.byType = byType;
    }

    /** The given policies (nulls skipped); two of one type are a mistake of the caller. */
    public static RoutePolicies of(RoutePolicy... policies) {
        return of(java.util.Arrays.asList(policies));
    }

    public static RoutePolicies of(Collection<? extends RoutePolicy> policies) {
        Map<Class<? extends RoutePolicy>, RoutePolicy> byType = new HashMap<>();
        for (RoutePolicy policy : policies) {
            if (policy != null && byType.put(policy.getClass(), policy) != null) {
                throw new IllegalArgumentException("two policies of type " + policy.getClass().getSimpleName());
            }
        }
        return byType.isEmpty() ? NONE : new RoutePolicies(Map.copyOf(byType));
    }

    /** These policies with {@code policy} added, in place of any of its type. */
    public RoutePolicies with(RoutePolicy policy) {
        Map<Class<? extends RoutePolicy>, RoutePolicy> byType = new HashMap<>(this.byType);
        byType.put(policy.getClass(), policy);
        return new RoutePolicies(Map.copyOf(byType));
    }

    /** The policy of this type, or null when the route's Ingress sets none. */
    public <P extends RoutePolicy> P get(Class<P> type) {
        return type.cast(byType.get(type));
    }

    /** The policy of this type, or {@code fallback} when the route's Ingress sets none. */
    public <P extends RoutePolicy> P getOrDefault(Class<P> type, P fallback) {
        P policy = get(type);
        return policy != null ? policy : fallback;
    }

    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof RoutePolicies that && byType.equals(that.byType);
    }

    @Override
    public int hashCode() {
        return byType.hashCode();
    }

    @Override
    public String toString() {
        return byType.values().toString();
    }
}
