package io.ingressgateway.gateway.filter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The controller's own small answers (404 when nothing matches, 503 when an upstream has no ready endpoint): JSON for
 * clients that prefer it, otherwise a short HTML page. They name nothing internal (no service, no route).
 */
public final class GatewayErrorResponses {

    private GatewayErrorResponses() {
    }

    public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String message) {
        return write(exchange.getRequest(), exchange.getResponse(), status, message);
    }

    /** As {@link #write(ServerWebExchange, HttpStatus, String)}, before there is an exchange (the listener's checks). */
    public static Mono<Void> write(ServerHttpRequest request, ServerHttpResponse response, HttpStatus status,
                                   String message) {
        if (response.isCommitted()) {
            return Mono.empty();
        }
        boolean json = prefersJson(request.getHeaders().getFirst(HttpHeaders.ACCEPT));
        String body = json ? json(status, message) : html(status, message);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(status);
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(json ? MediaType.APPLICATION_JSON
                : new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8));
        headers.setContentLength(bytes.length);
        headers.setCacheControl("no-store");
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    /**
     * Whether the most preferred concrete type of an Accept header is JSON. Wildcards decide nothing; no Accept, or
     * an unreadable one, means HTML (a browser or a plain client).
     */
    static boolean prefersJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
        MediaType best = null;
        for (MediaType type : types) {
            if (type.isWildcardType() || type.isWildcardSubtype() || type.getQualityValue() <= 0) {
                continue;
            }
            // Strictly greater: among equal qualities the first listed wins.
            if (best == null || type.getQualityValue() > best.getQualityValue()) {
                best = type;
            }
        }
        return best != null && (MediaType.APPLICATION_JSON.isCompatibleWith(best)
                || best.getSubtype().endsWith("+json"));
    }

    private static String json(HttpStatus status, String message) {
        return "{\"status\":" + status.value() + ",\"error\":\"" + escapeJson(status.getReasonPhrase())
                + "\",\"message\":\"" + escapeJson(message) + "\"}";
    }

    private static String html(HttpStatus status, String message) {
        String title = status.value() + " " + escapeHtml(status.getReasonPhrase());
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n"
                + "<body><h1>" + title + "</h1><p>" + escapeHtml(message) + "</p></body></html>\n";
    }

    private static String escapeJson(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static String escapeHtml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
