package io.ingressgateway.model.policy;

/**
 * What a canary Ingress ({@code canary: "true"}) asks: which requests of the main Ingress's routes with the same host
 * and path it takes, by ingress-nginx's precedence: the header, then the cookie, then the weight. It is the policy of
 * the canary Ingress itself, whose rules claim no path (the translator attaches it to the main routes as a
 * {@link CanaryPolicy}).
 *
 * @param header        the request header deciding, or null: {@code always} takes the request to the canary,
 *                      {@code never} keeps it on the main backend, any other value lets the cookie and weight decide
 * @param headerValue   when set, only this exact value of the header takes a request to the canary (and
 *                      {@code always}/{@code never} mean nothing); or null
 * @param headerPattern when set (and {@code headerValue} is not), a regular expression (RE2) found in the header's
 *                      value takes a request to the canary; or null. One RE2 cannot compile keeps every request
 *                      carrying the header on the main backend, as ingress-nginx does when its regex fails
 * @param cookie        the cookie deciding after the header, or null: {@code always} / {@code never} as the header
 * @param weight        of {@code weightTotal} requests the header and cookie left undecided, how many go to the canary
 *                      (at random); at {@code weightTotal} or more, all of them
 * @param weightTotal   at least 1; 100 unless set
 */
public record CanaryRules(String header, String headerValue, String headerPattern, String cookie, int weight,
                          int weightTotal) implements RoutePolicy {

    public static final int DEFAULT_WEIGHT_TOTAL = 100;

    public CanaryRules {
        if (weight < 0 || weightTotal < 1) {
            throw new IllegalArgumentException("weight " + weight + " of " + weightTotal);
        }
    }
}
