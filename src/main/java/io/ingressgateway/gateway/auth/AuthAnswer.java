package io.ingressgateway.gateway.auth;

import java.util.List;
import org.springframework.http.HttpHeaders;

/**
 * What an auth service answered: its status and headers (its body is never read beyond draining it).
 *
 * @param status  the auth service's status; {@link #NO_ANSWER} when it could not be reached or did not answer in time
 * @param headers its response headers (read-only)
 */
record AuthAnswer(int status, HttpHeaders headers) {

    static final int NO_ANSWER = -1;
    static final AuthAnswer NONE = new AuthAnswer(NO_ANSWER, HttpHeaders.EMPTY);

    boolean allowed() {
        return status >= 200 && status < 300;
    }

    List<String> setCookies() {
        List<String> cookies = headers.get(HttpHeaders.SET_COOKIE);
        return cookies == null ? List.of() : cookies;
    }

    /**
     * Whether nginx's cache would keep this answer at all: not one that sets a cookie (a session belongs to one
     * client) nor one that forbids caching.
     */
    boolean cacheable() {
        if (status == NO_ANSWER || headers.containsHeader(HttpHeaders.SET_COOKIE)) {
            return false;
        }
        String cacheControl = String.join(",", headers.getOrEmpty(HttpHeaders.CACHE_CONTROL)).toLowerCase();
        return !cacheControl.contains("no-store") && !cacheControl.contains("no-cache")
                && !cacheControl.contains("private") && !"*".equals(headers.getFirst(HttpHeaders.VARY));
    }
}
