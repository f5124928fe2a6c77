package io.ingressgateway.gateway.auth;

import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.model.policy.NginxTemplate;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

/**
 * The nginx variables the external authentication annotations may hold, filled in from one request as nginx fills
 * them in: a value is text inserted as it is, never configuration. Unknown names were refused when the annotation was
 * read; here one gives "".
 */
final class RequestVariables {

    private RequestVariables() {
    }

    /** The template with every variable replaced by its value for this request. */
    static String fill(NginxTemplate template, ServerWebExchange exchange) {
        StringBuilder text = new StringBuilder();
        for (NginxTemplate.Part part : template.parts()) {
            text.append(part.variable() ? value(part.text(), exchange) : part.text());
        }
        return text.toString();
    }

    /** One variable's value ("" when the request has none). */
    static String value(String name, ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        return switch (name) {
            case "host" -> RequestHost.normalize(headers.getFirst(HttpHeaders.HOST));
            case "http_host", "best_http_host" -> orEmpty(headers.getFirst(HttpHeaders.HOST));
            case "scheme", "pass_access_scheme" -> scheme(request);
            case "request_uri" -> requestUri(request);
            case "escaped_request_uri" -> escape(requestUri(request));
            case "uri" -> orEmpty(request.getURI().getPath());
            case "args", "query_string" -> orEmpty(request.getURI().getRawQuery());
            case "is_args" -> request.getURI().getRawQuery() == null ? "" : "?";
            case "request_method" -> request.getMethod().name();
            case "remote_addr" -> orEmpty(ClientAddress.text(exchange));
            case "remote_user" -> basicUser(headers.getFirst(HttpHeaders.AUTHORIZATION));
            default -> prefixed(name, request);
        };
    }

    private static String prefixed(String name, ServerHttpRequest request) {
        if (name.startsWith("http_")) {
            List<String> values = request.getHeaders().get(name.substring(5).replace('_', '-'));
            return values == null ? "" : String.join(", ", values);
        }
        if (name.startsWith("cookie_")) {
            String cookie = name.substring(7);
            for (List<HttpCookie> cookies : request.getCookies().values()) {
                for (HttpCookie candidate : cookies) {
                    if (candidate.getName().equalsIgnoreCase(cookie)) {
                        return candidate.getValue();
                    }
                }
            }
            return "";
        }
        if (name.startsWith("arg_")) {
            return argument(request.getURI().getRawQuery(), name.substring(4));
        }
        return "";
    }

    static String scheme(ServerHttpRequest request) {
        return request.getSslInfo() != null ? "https" : "http";
    }

    /** The path and query as the client sent them (nginx's {@code $request_uri}). */
    static String requestUri(ServerHttpRequest request) {
        String path = request.getURI().getRawPath();
        String query = request.getURI().getRawQuery();
        String uri = path == null || path.isEmpty() ? "/" : path;
        return query == null ? uri : uri + "?" + query;
    }

    /**
     * Every byte but letters, digits and {@code -._~} percent-escaped, as nginx's {@code set_escape_uri} makes
     * {@code $escaped_request_uri}: the value fits in one query parameter.
     */
    static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                escaped.append((char) c);
            } else {
                escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return escaped.toString();
    }

    /** The user of a Basic {@code Authorization} header, as nginx's {@code $remote_user}; "" otherwise. */
    static String basicUser(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return "";
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? "" : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String argument(String rawQuery, String name) {
        if (rawQuery == null) {
            return "";
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.toLowerCase(Locale.ROOT).equals(name)) {
                return equals < 0 ? "" : pair.substring(equals + 1);
            }
        }
        return "";
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
