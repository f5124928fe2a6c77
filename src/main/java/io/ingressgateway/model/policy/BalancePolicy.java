package io.ingressgateway.model.policy;

import java.util.List;
import java.util.Objects;

/**
 * How a route's requests choose among the ready endpoints of its upstream, from its Ingress's annotations (the
 * endpoint choice family: {@code affinity} and {@code session-cookie-*}, {@code upstream-hash-by},
 * {@code load-balance}). As in ingress-nginx, cookie affinity wins over hashing, which wins over the load-balance
 * algorithm. A route without this policy is balanced round-robin.
 *
 * @param affinity    cookie affinity, or null
 * @param hashBy      the consistent-hash key, or null
 * @param algorithm   the algorithm when neither affinity nor hashing applies
 */
public record BalancePolicy(CookieAffinity affinity, HashKey hashBy, Algorithm algorithm) implements RoutePolicy {

    public BalancePolicy {
        Objects.requireNonNull(algorithm, "algorithm");
    }

    /** ingress-nginx's {@code load-balance} values the gateway serves. */
    public enum Algorithm {
        /** Each endpoint in turn (nginx's default). */
        ROUND_ROBIN,
        /** Peak-EWMA of response latency with two random choices (ingress-nginx's {@code ewma}). */
        EWMA
    }

    /**
     * Cookie affinity: the first response sets a cookie naming the endpoint (by an opaque hash, never its address);
     * later requests carrying it go to that endpoint while it is ready.
     *
     * @param name              cookie name ({@code session-cookie-name}, default {@code INGRESSCOOKIE})
     * @param path              {@code Path} attribute; null for the route's own path, as ingress-nginx does
     * @param domain            {@code Domain} attribute, or null
     * @param expiresSeconds    {@code Expires} as seconds from the response, or null (session cookie)
     * @param maxAgeSeconds     {@code Max-Age}, or null
     * @param secure            whether the cookie is marked {@code Secure}; null: when the request came over TLS
     * @param sameSite          {@code SameSite} value ({@code None}, {@code Lax}, {@code Strict}), or null
     * @param conditionalSameSiteNone omit {@code SameSite=None} for user agents known to mishandle it
     * @param changeOnFailure   pick a new endpoint (and cookie) when the cookie's endpoint failed this request
     * @param persistent        {@code affinity-mode: persistent}: never move a client whose endpoint is still ready;
     *                          balanced (false) may move some clients to an endpoint added later
     */
    public record CookieAffinity(String name, String path, String domain, Long expiresSeconds, Long maxAgeSeconds,
                                 Boolean secure, String sameSite, boolean conditionalSameSiteNone,
                                 boolean changeOnFailure, boolean persistent) {

        public static final String DEFAULT_NAME = "INGRESSCOOKIE";

        public CookieAffinity {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A consistent-hash key as nginx's {@code hash} directive takes one: literal text and variables, each part in
     * order. Only the variables the gateway can evaluate are allowed ({@link Part.Kind}).
     *
     * @param parts   the text, split into literal parts and variables
     * @param written the annotation value as written, for reports
     */
    public record HashKey(List<Part> parts, String written) {

        public HashKey {
            parts = List.copyOf(parts);
        }

        /**
         * One part of a key.
         *
         * @param kind what it is
         * @param name the literal text, or the header/cookie/argument name (lower case for headers), unused otherwise
         */
        public record Part(Kind kind, String name) {

            public enum Kind {
                LITERAL,
                /** {@code $remote_addr}: the client connection's address. */
                REMOTE_ADDR,
                /** {@code $request_uri}: the path and query as the client sent them. */
                REQUEST_URI,
                /** {@code $uri}: the request path (without query). */
                URI,
                /** {@code $host}: the request host, without port, lower case. */
                HOST,
                /** {@code $args} / {@code $query_string}: the raw query. */
                ARGS,
                /** {@code $http_<name>}: a request header, empty when absent. */
                HEADER,
                /** {@code $cookie_<name>}: a request cookie, empty when absent. */
                COOKIE,
                /** {@code $arg_<name>}: a query argument, empty when absent. */
                ARG
            }
        }
    }
}
