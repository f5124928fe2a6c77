package io.ingressgateway.gateway.filter;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.addOriginalRequestUrl;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.RequestPath;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.policy.RewritePolicy;
import java.nio.charset.StandardCharsets;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The data-plane half of the regex and rewrite family ({@link RewritePolicy}), as ingress-nginx serves it:
 * <ul>
 *   <li>{@code app-root}: a request for {@code /} is answered 302 to {@code <scheme>://<Host header><app root>};</li>
 *   <li>{@code rewrite-target}: the path sent upstream becomes the target, each {@code $1}..{@code $9} replaced by that
 *       capture group of the route's expression in the request path (the decoded path the route matched); the query
 *       string is kept. What results is percent-encoded where a path needs it and then obeys the same rules as any
 *       forwarded path ({@link RequestPath#forwardable}): dot segments resolved, an ambiguous result refused
 *       (400);</li>
 *   <li>{@code x-forwarded-prefix}: sent upstream as {@code X-Forwarded-Prefix} with a rewritten request (captures
 *       expanded too), as ingress-nginx only sets it beside a rewrite; {@link ProxyHeadersFilter} writes it.</li>
 * </ul>
 * Runs before the upstream guard ({@code UpstreamGuardFilter}, just before the response writer), so an app-root
 * redirect or a refused rewrite takes no bulkhead place and does not count for the circuit breaker; and before
 * {@link RouteToRequestUrlFilter} builds the upstream URL from the request, so everything after it (the endpoint
 * choice, retries) sees the rewritten path.
 */
@Component
public class PathRewriteFilter implements GlobalFilter, Ordered {

    /** Exchange attribute: the {@code X-Forwarded-Prefix} value to send upstream, when the route asks for one. */
    public static final String X_FORWARDED_PREFIX_ATTR = PathRewriteFilter.class.getName() + ".xForwardedPrefix";

    public static final int ORDER = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 2;

    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("rewrite expression");
    /** A route's expression depends on the route alone: one version for ever. */
    private static final Object ROUTE_ONLY = new Object();

    /** Each rewriting route's compiled expression, once per served route. */
    private final PerRouteCache<Pattern> expressions = new PerRouteCache<>(SLOT, PathRewriteFilter::expressionOf);

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Route route = exchange.getAttribute(GATEWAY_ROUTE_ATTR);
        ServedRoute served = route == null ? null : ServedRoute.of(exchange, route);
        RewritePolicy policy = served == null ? null : served.policy(RewritePolicy.class);
        if (policy == null) {
            return chain.filter(exchange); // most routes: one attribute read and one map probe
        }
        ServerHttpRequest request = exchange.getRequest();
        String path = RequestPath.normalize(request.getPath().value());
        if (path == null) {
            return chain.filter(exchange); // refused before the lookup on the public listener; never rewritten
        }
        if (policy.appRoot() != null && path.equals("/")) {
            return redirectToAppRoot(exchange, policy.appRoot());
        }
        PathMatch match = served.rule().path();
        if (match.type() != PathMatch.Type.REGEX || !policy.rewrites(match.path())) {
            return chain.filter(exchange);
        }
        Pattern expression = expressions.get(served, ROUTE_ONLY);
        Matcher matcher = expression == null ? null : expression.matcher(path);
        if (matcher == null || !matcher.find()) {
            return chain.filter(exchange); // the route matched with this expression: not expected
        }
        String rewritten = RequestPath.forwardable(asPath(encode(RewritePolicy.expand(policy.target(),
                matcher::group, matcher.groupCount()))));
        if (rewritten == null) {
            return GatewayErrorResponses.write(exchange, HttpStatus.BAD_REQUEST,
                    "The rewritten request path is not a path that can be forwarded.");
        }
        if (policy.xForwardedPrefix() != null) {
            exchange.getAttributes().put(X_FORWARDED_PREFIX_ATTR, encode(RewritePolicy.expand(policy.xForwardedPrefix(),
                    matcher::group, matcher.groupCount())));
        }
        addOriginalRequestUrl(exchange, request.getURI());
        ServerHttpRequest mutated = request.mutate().path(rewritten).build();
        return chain.filter(exchange.mutate().request(mutated).build());
    }

    private static Pattern expressionOf(Route route, ServedRoute served) {
        if (served == null || served.rule() == null || served.rule().path().type() != PathMatch.Type.REGEX) {
            return null;
        }
        try {
            return served.rule().path().regex();
        } catch (RuntimeException e) {
            return null; // the translator refuses what does not compile: never here
        }
    }

    private static Mono<Void> redirectToAppRoot(ServerWebExchange exchange, String appRoot) {
        ServerHttpRequest request = exchange.getRequest();
        String host = request.getHeaders().getFirst(HttpHeaders.HOST);
        if (host == null || host.isBlank()) {
            host = request.getURI().getRawAuthority();
        }
        String scheme = request.getSslInfo() != null ? "https" : "http";
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.FOUND);
        response.getHeaders().set(HttpHeaders.LOCATION, scheme + "://" + host + appRoot);
        return response.setComplete();
    }

    /** A rewritten path starts with a slash, as nginx's targets written without one ({@code $1}) mean. */
    private static String asPath(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }

    /**
     * Percent-encodes what may not stand in a path as it is (captures come from the decoded path): everything but
     * letters, digits, {@code -._~!$&'()*+,;=:@} and {@code /}. A path with nothing to encode is returned as it is.
     */
    static String encode(String decoded) {
        int i = 0;
        while (i < decoded.length() && allowedInPath(decoded.charAt(i))) {
            i++;
        }
        if (i == decoded.length()) {
            return decoded;
        }
        StringBuilder out = new StringBuilder(decoded.length() + 16).append(decoded, 0, i);
        byte[] bytes = decoded.substring(i).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && allowedInPath(c)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static boolean allowedInPath(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }
}
