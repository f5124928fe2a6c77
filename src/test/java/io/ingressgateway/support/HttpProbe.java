package io.ingressgateway.support;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.Map;
import reactor.netty.http.client.HttpClient;

/**
 * Sends one HTTP request to the gateway with a chosen Host header (the JDK client refuses to set Host) and returns
 * status, headers and body.
 */
public final class HttpProbe {

    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final HttpClient client;

    public HttpProbe(int port) {
        client = HttpClient.create().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(10));
    }

    public Response get(String host, String path) {
        return get(host, path, Map.of());
    }

    public Response get(String host, String path, Map<String, String> headers) {
        return client.headers(h -> {
                    h.set(HttpHeaderNames.HOST, host);
                    headers.forEach(h::set);
                })
                .get().uri(path)
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("").map(text -> {
                    Map<String, String> lower = new java.util.HashMap<>();
                    response.responseHeaders().forEach(e -> lower.put(e.getKey().toLowerCase(), e.getValue()));
                    return new Response(response.status().code(), lower, text);
                }))
                .block(Duration.ofSeconds(15));
    }
}
