package io.ingressgateway.gateway.balance;

import io.ingressgateway.model.Endpoint;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.BalancePolicy.CookieAffinity;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code affinity: cookie}. The cookie's value is {@code <key>.<endpoint>}: a random 64-bit key (16 hex digits) the
 * client keeps, and the {@link #token} of the endpoint it was last sent to (16 hex digits of a SHA-256 of the upstream
 * and the endpoint's address, so the cookie never shows a pod's address, and every gateway replica reads it alike).
 *
 * <p>A request without a readable cookie gets a new key; its endpoint is the key's owner on a {@link HashRing} of the
 * ready endpoints, which spreads new clients evenly. Then, as ingress-nginx's two affinity modes:
 * <ul>
 * <li>balanced (the default): the endpoint is always the key's owner on the ring, so a client stays while its endpoint
 * is ready, moves when it leaves, and some clients (about 1/(N+1)) move to an endpoint added later;</li>
 * <li>persistent: the endpoint named in the cookie while it is ready, whatever was added; else the key's owner.</li>
 * </ul>
 * Whenever the endpoint is not the one the cookie names, the response sets the cookie again, naming the new one.
 *
 * <p>With {@code session-cookie-change-on-failure}, when the chosen endpoint could not be reached and a retry served
 * the request from another, the response's cookie names the one that served it (in balanced mode with a new key the
 * ring gives to it), as ingress-nginx picks a new endpoint and cookie on failure; without it the cookie keeps naming
 * the endpoint chosen, which later requests try first again.
 */
final class CookieAffinityChooser implements EndpointChooser {

    /** Exchange attribute: the cookie the response sets, when it sets one. */
    static final String SET_COOKIE_ATTR = CookieAffinityChooser.class.getName() + ".setCookie";

    private static final DateTimeFormatter EXPIRES = DateTimeFormatter.RFC_1123_DATE_TIME;

    /** Tries at drawing a balanced key owned by a given endpoint: missing all of them is under 0.2% for 10 endpoints. */
    private static final int KEY_DRAWS = 64;

    private final CookieAffinity affinity;
    private final List<Endpoint> endpoints;
    private final String servedEndpointAttribute;
    private final String path;
    private final HashRing ring;
    private final String[] tokens;
    private final Map<String, Integer> byToken;

    /**
     * @param routePath               the Path the cookie gets when the Ingress sets none
     * @param servedEndpointAttribute the exchange attribute holding the {@link Endpoint} that finally served the
     *                                request (a retry may have moved it from the chosen one)
     */
    CookieAffinityChooser(CookieAffinity affinity, String routePath, UpstreamKey upstream, List<Endpoint> endpoints,
                          String servedEndpointAttribute) {
        this.affinity = affinity;
        this.endpoints = List.copyOf(endpoints);
        this.servedEndpointAttribute = servedEndpointAttribute;
        this.path = affinity.path() != null ? affinity.path() : routePath;
        this.ring = new HashRing(endpoints);
        this.tokens = new String[endpoints.size()];
        this.byToken = new HashMap<>();
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = token(upstream, endpoints.get(i));
            byToken.putIfAbsent(tokens[i], i);
        }
    }

    /** The opaque, stable name of an endpoint of an upstream in cookies: 16 hex digits of a SHA-256. */
    static String token(UpstreamKey upstream, Endpoint endpoint) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((upstream + " " + endpoint).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public int choose(ServerWebExchange exchange) {
        HttpCookie cookie = exchange.getRequest().getCookies().getFirst(affinity.name());
        String value = cookie == null ? null : cookie.getValue();
        long key;
        String named = null;
        if (value != null && value.length() == 33 && value.charAt(16) == '.') {
            try {
                key = Long.parseUnsignedLong(value, 0, 16, 16);
                named = value.substring(17);
            } catch (NumberFormatException e) {
                key = ThreadLocalRandom.current().nextLong();
            }
        } else {
            key = ThreadLocalRandom.current().nextLong();
        }
        int chosen = ring.owner(key);
        if (affinity.persistent() && named != null) {
            Integer stays = byToken.get(named);
            if (stays != null) {
                chosen = stays;
            }
        }
        if (!tokens[chosen].equals(named)) {
            exchange.getAttributes().put(SET_COOKIE_ATTR, cookie(exchange, key, tokens[chosen]));
        }
        return chosen;
    }

    @Override
    public Mono<Void> around(ServerWebExchange exchange, int chosen, Mono<Void> rest) {
        String setCookie = exchange.getAttribute(SET_COOKIE_ATTR);
        if (setCookie != null || affinity.changeOnFailure()) {
            // Added when the response commits, after the upstream's headers were copied, so none of them replaces it.
            exchange.getResponse().beforeCommit(() -> {
                String cookie = affinity.changeOnFailure() ? afterFailure(exchange, chosen, setCookie) : setCookie;
                if (cookie != null) {
                    exchange.getResponse().getHeaders().add(HttpHeaders.SET_COOKIE, cookie);
                }
                return Mono.empty();
            });
        }
        return rest;
    }

    /** The cookie naming the endpoint that served the request when a retry moved it off the chosen one. */
    private String afterFailure(ServerWebExchange exchange, int chosen, String setCookie) {
        Object served = exchange.getAttribute(servedEndpointAttribute);
        int servedIndex = served instanceof Endpoint endpoint ? endpoints.indexOf(endpoint) : -1;
        if (servedIndex < 0 || servedIndex == chosen) {
            return setCookie;
        }
        long key = ThreadLocalRandom.current().nextLong();
        for (int draw = 0; !affinity.persistent() && ring.owner(key) != servedIndex; draw++) {
            if (draw == KEY_DRAWS) {
                return setCookie;
            }
            key = ThreadLocalRandom.current().nextLong();
        }
        return cookie(exchange, key, tokens[servedIndex]);
    }

    private String cookie(ServerWebExchange exchange, long key, String token) {
        String value = String.format("%016x.%s", key, token);
        boolean tls = exchange.getRequest().getSslInfo() != null;
        String sameSite = affinity.sameSite();
        if ("None".equals(sameSite) && affinity.conditionalSameSiteNone()
                && SameSiteNoneIncompatibleClients.matches(
                        exchange.getRequest().getHeaders().getFirst(HttpHeaders.USER_AGENT))) {
            sameSite = null;
        }
        ResponseCookie.ResponseCookieBuilder builder = ResponseCookie.from(affinity.name(), value)
                .path(path)
                .httpOnly(true)
                // As ingress-nginx: the annotation when set, else whether the request came over TLS.
                .secure(affinity.secure() != null ? affinity.secure() : tls);
        if (affinity.domain() != null) {
            builder.domain(affinity.domain());
        }
        if (affinity.maxAgeSeconds() != null) {
            builder.maxAge(Duration.ofSeconds(affinity.maxAgeSeconds()));
        }
        if (sameSite != null) {
            builder.sameSite(sameSite);
        }
        String header = builder.build().toString();
        if (affinity.expiresSeconds() != null && affinity.maxAgeSeconds() == null) {
            // Spring writes Expires only beside Max-Age; ingress-nginx can set Expires alone.
            header += "; Expires=" + EXPIRES.format(ZonedDateTime.now(ZoneOffset.UTC)
                    .plusSeconds(affinity.expiresSeconds()));
        }
        return header;
    }
}
