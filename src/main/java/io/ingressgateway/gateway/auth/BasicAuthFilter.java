package io.ingressgateway.gateway.auth;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.gateway.filter.GatewayErrorResponses;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.policy.BasicAuthPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * HTTP basic authentication of the routes whose Ingress sets {@code auth-type: basic} ({@link BasicAuthPolicy}), in
 * nginx's access phase: after CORS, rate limits, address lists and client certificates, before external auth.
 *
 * <p>Without credentials, or with wrong ones, the answer is 401 with {@code WWW-Authenticate: Basic realm="..."}, as
 * nginx's {@code auth_basic} gives. Right credentials pass, and the {@code Authorization} header is removed from the
 * request to the upstream, as ingress-nginx does ({@code proxy_set_header Authorization ""}). A route whose
 * authentication could not be set up ({@link BasicAuthPolicy#problem()}) is answered 503, as ingress-nginx denies it.
 *
 * <p>Hash checks (bcrypt is slow on purpose) run on a bounded pool of worker threads, one per core, never on an event
 * loop; a successful check is remembered ({@link VerifiedCredentials}), so a client sending the same credentials again
 * is let through without another hash. When more checks wait than the queue holds, the request is answered 503.
 */
@Component
public class BasicAuthFilter implements GlobalFilter, Ordered, DisposableBean {

    /** nginx's access phase: after client certificates (+135), before external auth (+150). */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 140;
    /** Exchange attribute: the user whose password was checked, nginx's {@code $remote_user} (the access log's). */
    public static final String USER_ATTR = BasicAuthFilter.class.getName() + ".user";

    private final VerifiedCredentials verified;
    private final Scheduler verifier;

    public BasicAuthFilter(IngressGatewayProperties properties) {
        IngressGatewayProperties.BasicAuth settings = properties.basicAuth();
        this.verified = new VerifiedCredentials(settings.verifiedCacheEntries());
        this.verifier = Schedulers.newBoundedElastic(Runtime.getRuntime().availableProcessors(),
                settings.verifyQueue(), "basic-auth-verify", 60, true);
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        BasicAuthPolicy policy = ServedRoute.policyOf(exchange, BasicAuthPolicy.class);
        if (policy == null) {
            return chain.filter(exchange);
        }
        if (policy.problem() != null) {
            return GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                    "Service Temporarily Unavailable");
        }
        String[] credentials = credentials(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION));
        String hash = credentials == null ? null : policy.users().get(credentials[0]);
        if (hash == null) {
            return challenge(exchange, policy);
        }
        String password = credentials[1];
        String key = verified.key(policy.credentialsId(), credentials[0], password);
        if (verified.contains(key)) {
            return pass(exchange, chain, credentials[0]);
        }
        return Mono.fromCallable(() -> PasswordHashes.matches(hash, password) ? Check.MATCH : Check.NO_MATCH)
                .subscribeOn(verifier)
                // The queue of checks is full: refused, never let through.
                .onErrorResume(RejectedExecutionException.class, e -> Mono.just(Check.BUSY))
                .flatMap(check -> switch (check) {
                    case MATCH -> {
                        verified.add(key);
                        yield pass(exchange, chain, credentials[0]);
                    }
                    case NO_MATCH -> challenge(exchange, policy);
                    case BUSY -> GatewayErrorResponses.write(exchange, HttpStatus.SERVICE_UNAVAILABLE,
                            "Too many password checks are waiting; try again.");
                });
    }

    /** What checking a password gave. */
    private enum Check { MATCH, NO_MATCH, BUSY }

    private static Mono<Void> pass(ServerWebExchange exchange, GatewayFilterChain chain, String user) {
        exchange.getAttributes().put(USER_ATTR, user);
        return chain.filter(exchange.mutate()
                .request(request -> request.headers(headers -> headers.remove(HttpHeaders.AUTHORIZATION)))
                .build());
    }

    private static Mono<Void> challenge(ServerWebExchange exchange, BasicAuthPolicy policy) {
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE,
                "Basic realm=\"" + policy.realm().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return GatewayErrorResponses.write(exchange, HttpStatus.UNAUTHORIZED, "Authorization Required");
    }

    /** User and password of a {@code Basic} Authorization header, or null when there are none to check. */
    static String[] credentials(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Basic")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(value.substring(space + 1).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    @Override
    public void destroy() {
        verifier.dispose();
    }
}
