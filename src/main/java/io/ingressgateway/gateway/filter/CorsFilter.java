package io.ingressgateway.gateway.filter;

import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.CorsPolicy;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * CORS for routes whose Ingress sets {@code enable-cors} ({@link CorsPolicy}), as ingress-nginx's location does it:
 * when the request's origin is allowed (every request, with or without {@code Origin}, when any origin is),
 * <ul>
 *   <li>an {@code OPTIONS} request is a pre-flight: answered here with 204 and the CORS headers, the upstream never
 *       contacted;</li>
 *   <li>any other request goes on, and its response gets the CORS headers, replacing the upstream's own of the same
 *       names (nginx's {@code more_set_headers}), whoever wrote it: the upstream, or the gateway for this route
 *       (a 503 of a rate limit, a 401 of an authentication) so a browser can read it.</li>
 * </ul>
 * A request whose origin is not allowed goes on untouched, pre-flights included, and the upstream's own CORS headers
 * stay. Routes without the policy cost one lookup in their (usually empty) policies.
 *
 * <p>Unlike ingress-nginx, a route allowing a list of origins says {@code Vary: Origin} on its responses: they
 * differ by origin, and a shared cache must not hand one origin's answer to another.
 */
@Component
public class CorsFilter implements GlobalFilter, Ordered {

    /** Before rate limits and authentication: a pre-flight carries no credentials and is answered first. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 110;

    static final String ALLOW_ORIGIN = "Access-Control-Allow-Origin";
    static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";
    static final String ALLOW_METHODS = "Access-Control-Allow-Methods";
    static final String ALLOW_HEADERS = "Access-Control-Allow-Headers";
    static final String EXPOSE_HEADERS = "Access-Control-Expose-Headers";
    static final String MAX_AGE = "Access-Control-Max-Age";

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        CorsPolicy policy = ServedRoute.policyOf(exchange, CorsPolicy.class);
        if (policy == null) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        if (!policy.anyOrigin()) {
            response.beforeCommit(() -> {
                varyByOrigin(response.getHeaders());
                return Mono.empty();
            });
        }
        String allowOrigin = policy.allowOriginFor(exchange.getRequest().getHeaders().getFirst(HttpHeaders.ORIGIN));
        if (allowOrigin == null) {
            return chain.filter(exchange);
        }
        if (HttpMethod.OPTIONS.equals(exchange.getRequest().getMethod())) {
            HttpHeaders headers = response.getHeaders();
            corsHeaders(headers, policy, allowOrigin);
            // No Content-Length: a 204 has no body and must not say it has one (RFC 9110 8.6).
            headers.set(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.setStatusCode(HttpStatus.NO_CONTENT);
            return response.setComplete();
        }
        response.beforeCommit(() -> {
            corsHeaders(response.getHeaders(), policy, allowOrigin);
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static void corsHeaders(HttpHeaders headers, CorsPolicy policy, String allowOrigin) {
        headers.set(ALLOW_ORIGIN, allowOrigin);
        if (policy.allowCredentials()) {
            headers.set(ALLOW_CREDENTIALS, "true");
        }
        headers.set(ALLOW_METHODS, policy.allowMethods());
        headers.set(ALLOW_HEADERS, policy.allowHeaders());
        if (policy.exposeHeaders() != null) {
            headers.set(EXPOSE_HEADERS, policy.exposeHeaders());
        }
        headers.set(MAX_AGE, Long.toString(policy.maxAgeSeconds()));
    }

    private static void varyByOrigin(HttpHeaders headers) {
        for (String vary : headers.getVary()) {
            if (vary.equalsIgnoreCase(HttpHeaders.ORIGIN) || vary.equals("*")) {
                return;
            }
        }
        headers.add(HttpHeaders.VARY, HttpHeaders.ORIGIN);
    }
}
