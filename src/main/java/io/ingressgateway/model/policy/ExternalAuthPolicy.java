package io.ingressgateway.model.policy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * External authentication of a route, as ingress-nginx's {@code auth-url} family does it with nginx's
 * {@code auth_request}: before a request goes upstream, a request without body is sent to the auth service; 2xx lets
 * it through, 401 and 403 are answered to the client, anything else (or no answer in time) is 500.
 *
 * @param refusal          null when the configuration is usable; otherwise why it is not (an unreadable
 *                         {@code auth-url}, {@code auth-method} or {@code auth-response-headers}): the route is then
 *                         answered 503 and never served unauthenticated, as ingress-nginx denies such a location
 * @param url              the auth service's URL, with variables filled in per request
 * @param method           the method of the auth request, null for nginx's default (GET; the client's method is in
 *                         {@code X-Original-Method})
 * @param signin           where a client answered 401 is redirected instead (302), redirect parameter included; null
 *                         when not set
 * @param responseHeaders  headers of a 2xx auth answer copied onto the upstream request (each replacing the client's)
 * @param requestRedirect  the value of {@code X-Auth-Request-Redirect}; null for the request's URI
 * @param alwaysSetCookie  whether the auth answer's {@code Set-Cookie} reaches the client whatever the final status
 *                         (otherwise only with 200, 201, 204, 206, 301, 302, 303, 304, 307 or 308)
 * @param cacheKey         the per-request key auth answers are cached under (per route); null: no cache
 * @param cacheRules       how long an answer is cached, by its status (used with {@code cacheKey})
 * @param proxySetHeaders  headers of the {@code auth-proxy-set-headers} ConfigMap set on the auth request (never on
 *                         the upstream's); null when the annotation is not set
 */
public record ExternalAuthPolicy(String refusal, NginxTemplate url, String method, NginxTemplate signin,
                                 List<String> responseHeaders, String requestRedirect, boolean alwaysSetCookie,
                                 NginxTemplate cacheKey, List<CacheRule> cacheRules, ProxySetHeaders proxySetHeaders)
        implements RoutePolicy {

    public ExternalAuthPolicy {
        responseHeaders = List.copyOf(responseHeaders);
        cacheRules = List.copyOf(cacheRules);
    }

    /** A route that must not be served: its external authentication cannot be done as asked. */
    public static ExternalAuthPolicy refused(String reason) {
        return new ExternalAuthPolicy(reason, null, null, null, List.of(), null, false, null, List.of(), null);
    }

    /** This policy with the {@code auth-proxy-set-headers} ConfigMap read (or in its place, as written). */
    public ExternalAuthPolicy withProxySetHeaders(ProxySetHeaders headers) {
        return new ExternalAuthPolicy(refusal, url, method, signin, responseHeaders, requestRedirect, alwaysSetCookie,
                cacheKey, cacheRules, headers);
    }

    /** The headers set on the auth request; empty without {@code auth-proxy-set-headers}. */
    public Map<String, String> authRequestHeaders() {
        return proxySetHeaders == null ? Map.of() : proxySetHeaders.headers();
    }

    /**
     * ingress-nginx's {@code auth-proxy-set-headers}: a ConfigMap whose entries are headers of the auth request, read
     * and checked by the translator (names of letters, digits, {@code -} and {@code _}; printable ASCII values, sent as
     * written).
     *
     * @param configMap {@code namespace/name} of the ConfigMap, or the value as written until the translator read it
     * @param headers   header name to value, sorted by name; empty until the translator read the ConfigMap
     */
    public record ProxySetHeaders(String configMap, Map<String, String> headers) {

        public ProxySetHeaders {
            Objects.requireNonNull(configMap, "configMap");
            headers = Collections.unmodifiableMap(new TreeMap<>(headers));
        }
    }

    /** How long an auth answer with one of these statuses is kept (nginx's {@code proxy_cache_valid}). */
    public record CacheRule(List<Integer> statuses, boolean anyStatus, Duration duration) {

        public CacheRule {
            statuses = List.copyOf(statuses);
        }

        public boolean covers(int status) {
            return anyStatus || statuses.contains(status);
        }
    }

    /** How long an answer with this status may be cached: the first rule covering it, else not at all (zero). */
    public Duration cacheDuration(int status) {
        for (CacheRule rule : cacheRules) {
            if (rule.covers(status)) {
                return rule.duration();
            }
        }
        return Duration.ZERO;
    }
}
