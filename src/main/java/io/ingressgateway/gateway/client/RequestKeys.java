package io.ingressgateway.gateway.client;

import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.model.policy.BalancePolicy.HashKey;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part;
import java.net.URI;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebExchangeDecorator;

/**
 * Text made of nginx variables, evaluated for one request as nginx does (an absent header, cookie or argument as empty
 * text): the key of {@code upstream-hash-by} and of {@code global-rate-limit-key}. {@code $remote_addr} is the
 * {@link ClientAddress}, so every per-client feature agrees on who the client is.
 */
public final class RequestKeys {

    private RequestKeys() {
    }

    /** The key's text for this request. */
    public static String evaluate(HashKey key, ServerWebExchange exchange) {
        StringBuilder text = new StringBuilder();
        ServerHttpRequest request = exchange.getRequest();
        for (Part part : key.parts()) {
            switch (part.kind()) {
                case LITERAL -> text.append(part.name());
                case REMOTE_ADDR -> {
                    String client = ClientAddress.text(exchange);
                    if (client != null) {
                        text.append(client);
                    }
                }
                case REQUEST_URI -> {
                    // As the client sent it: a rewrite earlier in the chain mutated the exchange's request.
                    URI original = original(exchange).getRequest().getURI();
                    text.append(original.getRawPath());
                    if (original.getRawQuery() != null) {
                        text.append('?').append(original.getRawQuery());
                    }
                }
                case URI -> text.append(request.getPath().pathWithinApplication().value());
                case HOST -> {
                    // The Host header's host, lower case, without port; without one, the request line's (absolute form).
                    String host = request.getHeaders().getFirst(HttpHeaders.HOST);
                    text.append(RequestHost.normalize(host != null ? host : request.getURI().getHost()));
                }
                case ARGS -> {
                    String query = request.getURI().getRawQuery();
                    if (query != null) {
                        text.append(query);
                    }
                }
                case HEADER -> {
                    String value = request.getHeaders().getFirst(part.name());
                    if (value != null) {
                        text.append(value);
                    }
                }
                case COOKIE -> {
                    HttpCookie cookie = request.getCookies().getFirst(part.name());
                    if (cookie != null) {
                        text.append(cookie.getValue());
                    }
                }
                case ARG -> {
                    String value = request.getQueryParams().getFirst(part.name());
                    if (value != null) {
                        text.append(value);
                    }
                }
                default -> throw new IllegalStateException("unknown key part " + part);
            }
        }
        return text.toString();
    }

    private static ServerWebExchange original(ServerWebExchange exchange) {
        ServerWebExchange current = exchange;
        while (current instanceof ServerWebExchangeDecorator decorator) {
            current = decorator.getDelegate();
        }
        return current;
    }
}
