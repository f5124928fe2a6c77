package io.ingressgateway.gateway.filter;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.ingressgateway.model.policy.CanaryRules;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;
import org.springframework.http.HttpCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Decides, per request, between a route's main backend and its canary, as ingress-nginx's balancer does: the header
 * first (its exact value when {@code headerValue} is set, else its pattern when set, else {@code always} /
 * {@code never}), then the cookie ({@code always} / {@code never}), then the weight. A header or cookie with any other
 * value, or absent, leaves the decision to the next rule.
 *
 * <p>Made once per route from its {@link CanaryRules} (the pattern compiled then) and shared by its requests.
 */
final class CanaryDecision {

    private static final String ALWAYS = "always";
    private static final String NEVER = "never";

    private final CanaryRules rules;
    /** The header pattern, or null when none is set or it does not compile ({@link #patternBroken}). */
    private final Pattern pattern;
    /** A header pattern RE2 cannot compile: requests carrying the header stay on the main backend. */
    private final boolean patternBroken;
    /** Draws a number in {@code [0, bound)}. */
    private final IntUnaryOperator random;

    CanaryDecision(CanaryRules rules) {
        this(rules, bound -> ThreadLocalRandom.current().nextInt(bound));
    }

    CanaryDecision(CanaryRules rules, IntUnaryOperator random) {
        this.rules = rules;
        this.random = random;
        Pattern compiled = null;
        boolean broken = false;
        if (rules.headerValue() == null && rules.headerPattern() != null) {
            try {
                compiled = Pattern.compile(rules.headerPattern());
            } catch (PatternSyntaxException e) {
                broken = true; // reported by the translator
            }
        }
        this.pattern = compiled;
        this.patternBroken = broken;
    }

    /** Whether the request goes to the canary. */
    boolean toCanary(ServerHttpRequest request) {
        if (rules.header() != null) {
            String value = request.getHeaders().getFirst(rules.header());
            if (value != null) {
                if (rules.headerValue() != null) {
                    if (rules.headerValue().equals(value)) {
                        return true;
                    }
                } else if (patternBroken) {
                    return false;
                } else if (pattern != null) {
                    if (pattern.matcher(value).find()) {
                        return true;
                    }
                } else if (ALWAYS.equals(value)) {
                    return true;
                } else if (NEVER.equals(value)) {
                    return false;
                }
            }
        }
        if (rules.cookie() != null) {
            HttpCookie cookie = request.getCookies().getFirst(rules.cookie());
            if (cookie != null) {
                if (ALWAYS.equals(cookie.getValue())) {
                    return true;
                }
                if (NEVER.equals(cookie.getValue())) {
                    return false;
                }
            }
        }
        int weight = rules.weight();
        return weight > 0 && (weight >= rules.weightTotal() || random.applyAsInt(rules.weightTotal()) < weight);
    }
}
