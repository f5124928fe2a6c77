package io.ingressgateway.gateway.auth;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.gateway.auth.ExternalAuthMetrics.Outcome;
import io.ingressgateway.gateway.auth.ExternalAuthMetrics.Source;
import io.ingressgateway.model.policy.ExternalAuthPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * External authentication per route ({@link ExternalAuthPolicy}, from ingress-nginx's {@code auth-url} family), as
 * nginx's {@code auth_request} does it: before the request goes upstream, the auth service is asked with the client's
 * headers and no body, plus {@code X-Original-URL}, {@code X-Original-Method}, {@code X-Real-IP},
 * {@code X-Forwarded-For}, {@code X-Auth-Request-Redirect} and {@code X-Sent-From}, as ingress-nginx's template sends
 * them, and the headers of the {@code auth-proxy-set-headers} ConfigMap (to the auth service only). Its answer
 * decides:
 * <ul>
 *   <li>2xx: the request goes upstream, with the {@code auth-response-headers} of the answer in place of the client's
 *       headers of those names (a client cannot claim an identity the auth service did not give);</li>
 *   <li>401: 401 to the client (with the answer's {@code WWW-Authenticate}), or a 302 to {@code auth-signin} carrying
 *       the original URL when set;</li>
 *   <li>403: 403;</li>
 *   <li>anything else, no answer, or no answer within {@code ingress-gateway.external-auth.timeout}: 500.</li>
 * </ul>
 * The answer's {@code Set-Cookie} reaches the client with the final response when its status is one nginx's
 * {@code add_header} adds headers to (200, 201, 204, 206, 301, 302, 303, 304, 307, 308), or always with
 * {@code auth-always-set-cookie}. A route whose annotations could not be read answers 503: it is never served
 * without the authentication its Ingress asks for.
 */
public class ExternalAuthFilter implements GlobalFilter, Ordered {

    /** nginx's access phase, after basic auth: the slot for external authentication. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 150;

    static final String MISCONFIGURED = "This service's authentication is misconfigured.";
    static final String AUTH_FAILED = "The authentication service could not decide on this request.";
    static final String UNAUTHORIZED = "Authentication is required.";
    static final String FORBIDDEN = "Access to this resource is forbidden.";
    /** ingress-nginx's value, which auth services may look for. */
    static final String SENT_FROM = "nginx-ingress-controller";

    /** The statuses nginx's {@code add_header} (without {@code always}) applies to. */
    private static final Set<Integer> COOKIE_STATUSES = Set.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308);

    /** Headers of the client's request not sent to the auth service: hop-by-hop, body framing, or set here. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "upgrade", "te", "trailer", "proxy-connection", "expect",
            "x-forwarded-proto", "x-original-url", "x-original-method", "x-original-uri", "x-scheme", "x-sent-from",
            "x-real-ip", "x-forwarded-for", "x-auth-request-redirect");

    private static final Logger log = LoggerFactory.getLogger(ExternalAuthFilter.class);

    private final ExternalAuthClient client;
    private final AuthAnswerCache cache;
    private final ExternalAuthMetrics metrics;

    /** @param registry where decisions are counted; null counts nothing */
    public ExternalAuthFilter(ExternalAuthClient client, int cacheEntries, MeterRegistry registry) {
        this.client = client;
        this.cache = new AuthAnswerCache(cacheEntries);
        this.metrics = new ExternalAuthMetrics(registry);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServedRoute served = ServedRoute.of(exchange, exchange.getAttribute(GATEWAY_ROUTE_ATTR));
        ExternalAuthPolicy policy = served == null ? null : served.policy(ExternalAuthPolicy.class);
        if (policy == null) {
            return chain.filter(exchange);
        }
        if (policy.refusal() != null) {
            metrics.count(Outcome.MISCONFIGURED, Source.NONE);
            return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE, MISCONFIGURED);
        }
        URI url = authUrl(policy, exchange);
        if (url == null) {
            metrics.count(Outcome.FAILED, Source.NONE);
            return GatewayErrorResponses.write(exchange, HttpStatus.INTERNAL_SERVER_ERROR, AUTH_FAILED);
        }
        String cacheKey = policy.cacheKey() == null ? null
                : served.route().getId() + '\n' + RequestVariables.fill(policy.cacheKey(), exchange);
        AuthAnswer cached = cacheKey == null ? null : cache.get(cacheKey);
        Mono<AuthAnswer> answer;
        if (cached != null) {
            answer = Mono.just(cached);
        } else {
            HttpMethod method = policy.method() == null ? HttpMethod.GET : HttpMethod.valueOf(policy.method());
            answer = client.ask(method, url, authRequestHeaders(policy, url, exchange));
            if (cacheKey != null) {
                answer = answer.doOnNext(fresh -> {
                    if (fresh.status() != AuthAnswer.NO_ANSWER) {
                        cache.put(cacheKey, fresh, policy.cacheDuration(fresh.status()));
                    }
                });
            }
        }
        Source source = cached != null ? Source.CACHE : Source.AUTH_SERVICE;
        return answer.flatMap(decided -> decide(exchange, chain, policy, decided, source));
    }

    private Mono<Void> decide(ServerWebExchange exchange, GatewayFilterChain chain, ExternalAuthPolicy policy,
                              AuthAnswer answer, Source source) {
        List<String> cookies = answer.setCookies();
        if (!cookies.isEmpty()) {
            passCookies(exchange.getResponse(), cookies, policy.alwaysSetCookie());
        }
        if (answer.allowed()) {
            metrics.count(Outcome.ALLOWED, source);
            return chain.filter(withIdentity(exchange, policy.responseHeaders(), answer.headers()));
        }
        if (answer.status() == HttpStatus.UNAUTHORIZED.value()) {
            metrics.count(Outcome.UNAUTHORIZED, source);
            if (policy.signin() != null) {
                ServerHttpResponse response = exchange.getResponse();
                response.setStatusCode(HttpStatus.FOUND);
                response.getHeaders().set(HttpHeaders.LOCATION, RequestVariables.fill(policy.signin(), exchange));
                return response.setComplete();
            }
            List<String> challenges = answer.headers().get(HttpHeaders.WWW_AUTHENTICATE);
            if (challenges != null) {
                exchange.getResponse().getHeaders().put(HttpHeaders.WWW_AUTHENTICATE, challenges);
            }
            return GatewayErrorResponses.write(exchange, HttpStatus.UNAUTHORIZED, UNAUTHORIZED);
        }
        if (answer.status() == HttpStatus.FORBIDDEN.value()) {
            metrics.count(Outcome.FORBIDDEN, source);
            return GatewayErrorResponses.write(exchange, HttpStatus.FORBIDDEN, FORBIDDEN);
        }
        metrics.count(Outcome.FAILED, source);
        if (log.isDebugEnabled()) {
            log.debug("auth service for {} answered {}: 500", exchange.getRequest().getURI().getRawPath(),
                    answer.status() == AuthAnswer.NO_ANSWER ? "nothing in time" : answer.status());
        }
        return GatewayErrorResponses.write(exchange, HttpStatus.INTERNAL_SERVER_ERROR, AUTH_FAILED);
    }

    /** The auth URL for this request, or null when the filled-in text is no http(s) URL with a host. */
    static URI authUrl(ExternalAuthPolicy policy, ServerWebExchange exchange) {
        String text = RequestVariables.fill(policy.url(), exchange);
        try {
            URI url = new URI(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null) {
                return null;
            }
            return url;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** What the auth service receives: the client's headers, no body, and what ingress-nginx's template sets. */
    static HttpHeaders authRequestHeaders(ExternalAuthPolicy policy, URI url, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = new HttpHeaders();
        request.getHeaders().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                headers.put(name, values);
            }
        });
        // auth-proxy-set-headers: after the client's (replacing them, as nginx's proxy_set_header does) and before the
        // ones set below, which the auth service relies on; the translator refused Host and framing headers.
        policy.authRequestHeaders().forEach(headers::set);
        String requestUri = RequestVariables.requestUri(request);
        String client = ClientAddress.text(exchange);
        headers.set(HttpHeaders.HOST, url.getHost());
        headers.set("X-Original-URL", RequestVariables.scheme(request) + "://"
                + RequestVariables.value("http_host", exchange) + requestUri);
        headers.set("X-Original-Method", request.getMethod().name());
        headers.set("X-Sent-From", SENT_FROM);
        if (client != null) {
            headers.set("X-Real-IP", client);
            headers.set("X-Forwarded-For", client);
        }
        headers.set("X-Auth-Request-Redirect", policy.requestRedirect() != null ? policy.requestRedirect()
                : requestUri);
        if (policy.method() != null) {
            headers.set("X-Original-URI", requestUri);
            headers.set("X-Scheme", RequestVariables.scheme(request));
        }
        return headers;
    }

    /** The request with each of {@code names} as the auth service gave it (or absent), whatever the client sent. */
    static ServerWebExchange withIdentity(ServerWebExchange exchange, List<String> names, HttpHeaders answer) {
        if (names.isEmpty()) {
            return exchange;
        }
        ServerHttpRequest request = exchange.getRequest().mutate().headers(headers -> {
            for (String name : names) {
                headers.remove(name);
                List<String> values = answer.get(name);
                if (values != null && !values.isEmpty()) {
                    headers.put(name, values);
                }
            }
        }).build();
        return exchange.mutate().request(request).build();
    }

    private static void passCookies(ServerHttpResponse response, List<String> cookies, boolean always) {
        response.beforeCommit(() -> {
            int status = response.getStatusCode() == null ? 200 : response.getStatusCode().value();
            if (always || COOKIE_STATUSES.contains(status)) {
                response.getHeaders().addAll(HttpHeaders.SET_COOKIE, cookies);
            }
            return Mono.empty();
        });
    }
}
