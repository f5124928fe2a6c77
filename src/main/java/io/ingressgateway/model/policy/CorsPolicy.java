package io.ingressgateway.model.policy;

import java.util.List;

/**
 * Cross-Origin Resource Sharing for a route, as an Ingress's {@code enable-cors} and {@code cors-*} annotations ask
 * (the CORS family), with ingress-nginx's meaning: a request whose {@code Origin} is allowed gets the CORS headers on
 * its response, and an {@code OPTIONS} request whose origin is allowed (a pre-flight) is answered by the gateway with
 * 204, never reaching the upstream. With {@link #anyOrigin()} every request is allowed, with or without
 * {@code Origin}, and gets {@code Access-Control-Allow-Origin: *}; otherwise the allowed origin is echoed, and a
 * request whose origin is not allowed goes on untouched (pre-flights included).
 *
 * @param anyOrigin        {@code cors-allow-origin} is {@code *} (the default)
 * @param origins          the allowed origins when not {@code anyOrigin}; empty allows none
 * @param allowMethods     {@code Access-Control-Allow-Methods}, as written
 * @param allowHeaders     {@code Access-Control-Allow-Headers}, as written
 * @param exposeHeaders    {@code Access-Control-Expose-Headers}, as written, or null for none
 * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent
 * @param maxAgeSeconds    {@code Access-Control-Max-Age}
 */
public record CorsPolicy(boolean anyOrigin, List<CorsOrigin> origins, String allowMethods, String allowHeaders,
                         String exposeHeaders, boolean allowCredentials, long maxAgeSeconds) implements RoutePolicy {

    /** ingress-nginx's default {@code cors-allow-methods}. */
    public static final String DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    /** ingress-nginx's default {@code cors-allow-headers}. */
    public static final String DEFAULT_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,"
            + "Cache-Control,Content-Type,Range,Authorization";
    /** ingress-nginx's default {@code cors-max-age}: 20 days. */
    public static final long DEFAULT_MAX_AGE_SECONDS = 1_728_000;

    public CorsPolicy {
        origins = List.copyOf(origins);
    }

    /**
     * What {@code Access-Control-Allow-Origin} says to a request with this {@code Origin} (null when it has none):
     * {@code *} when any origin is allowed, the origin as sent when it is one of the allowed, else null (no CORS
     * headers at all).
     */
    public String allowOriginFor(String origin) {
        if (anyOrigin) {
            return "*";
        }
        if (origin == null) {
            return null;
        }
        for (CorsOrigin allowed : origins) {
            if (allowed.matches(origin)) {
                return origin;
            }
        }
        return null;
    }
}
