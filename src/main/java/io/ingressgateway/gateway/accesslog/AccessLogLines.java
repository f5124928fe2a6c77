package io.ingressgateway.gateway.accesslog;

import io.ingressgateway.gateway.client.ClientAddress;
import io.ingressgateway.model.UpstreamKey;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Access log lines, made on the writer thread.
 *
 * <p>Text is ingress-nginx's default {@code log-format-upstream}, field for field:
 * <pre>
 * $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
 * $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
 * $upstream_response_length $upstream_response_time $upstream_status $req_id
 * </pre>
 * (one line), with {@code -} for what is unknown and the alternative (canary) upstream always empty: the upstream
 * name is the one the request went to. JSON has the same fields under the variables' names, plus {@code namespace},
 * {@code ingress} and {@code service}. Values a client chose (path, referer, user agent) are escaped as nginx does:
 * a quote, a backslash, a control character or a byte beyond ASCII as {@code \xHH}, so a line stays one line.
 */
final class AccessLogLines {

    /** nginx's {@code $time_local}: {@code 03/Dec/2026:17:05:09 +0000}, in the JVM's time zone. */
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter
            .ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneId.systemDefault());
    /** nginx's {@code $time_iso8601}, with milliseconds. */
    private static final DateTimeFormatter TIME_ISO = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ENGLISH).withZone(ZoneId.systemDefault());

    private AccessLogLines() {
    }

    static String text(AccessLogRecord r) {
        StringBuilder line = new StringBuilder(256);
        line.append(orDash(ClientAddress.text(r.clientAddress))).append(" - ");
        escaped(line, r.remoteUser == null ? "-" : r.remoteUser);
        line.append(" [").append(TIME_LOCAL.format(Instant.ofEpochMilli(r.startMillis))).append("] \"");
        escaped(line, request(r));
        line.append("\" ").append(r.status).append(' ').append(r.bytesSent).append(" \"");
        escaped(line, orDash(r.referer));
        line.append("\" \"");
        escaped(line, orDash(r.userAgent));
        line.append("\" ").append(r.requestLength).append(' ');
        seconds(line, r.requestNanos);
        line.append(" [").append(upstreamName(r.upstream)).append("] [] ");
        upstreamAddresses(line, r);
        line.append(' ');
        upstreamLengths(line, r);
        line.append(' ');
        upstreamTimes(line, r);
        line.append(' ');
        upstreamStatuses(line, r);
        line.append(' ').append(r.requestId);
        return line.toString();
    }

    static String json(AccessLogRecord r) {
        StringBuilder line = new StringBuilder(512);
        line.append('{');
        jsonString(line, "time", TIME_ISO.format(Instant.ofEpochMilli(r.startMillis))).append(',');
        jsonString(line, "remote_addr", ClientAddress.text(r.clientAddress)).append(',');
        jsonString(line, "remote_user", r.remoteUser).append(',');
        jsonString(line, "request", request(r)).append(',');
        jsonString(line, "method", r.method).append(',');
        jsonString(line, "path", pathAndQuery(r)).append(',');
        jsonString(line, "protocol", r.protocol).append(',');
        line.append("\"status\":").append(r.status).append(',');
        line.append("\"body_bytes_sent\":").append(r.bytesSent).append(',');
        jsonString(line, "http_referer", r.referer).append(',');
        jsonString(line, "http_user_agent", r.userAgent).append(',');
        line.append("\"request_length\":").append(r.requestLength).append(',');
        line.append("\"request_time\":");
        seconds(line, r.requestNanos);
        line.append(',');
        jsonString(line, "proxy_upstream_name", r.upstream == null ? null : upstreamName(r.upstream)).append(',');
        StringBuilder part = new StringBuilder(64);
        jsonString(line, "upstream_addr", r.attempts == 0 ? null : upstreamAddresses(part, r).toString()).append(',');
        part.setLength(0);
        jsonString(line, "upstream_response_length", r.attempts == 0 ? null : upstreamLengths(part, r).toString())
                .append(',');
        part.setLength(0);
        jsonString(line, "upstream_response_time", r.attempts == 0 ? null : upstreamTimes(part, r).toString())
                .append(',');
        part.setLength(0);
        jsonString(line, "upstream_status", r.attempts == 0 ? null : upstreamStatuses(part, r).toString())
                .append(',');
        jsonString(line, "req_id", r.requestId).append(',');
        jsonString(line, "namespace", r.ingress != null ? r.ingress.namespace()
                : r.upstream != null ? r.upstream.namespace() : null).append(',');
        jsonString(line, "ingress", r.ingress == null ? null : r.ingress.name()).append(',');
        jsonString(line, "service", r.upstream == null ? null : r.upstream.service());
        return line.append('}').toString();
    }

    /** ingress-nginx's {@code $proxy_upstream_name}: {@code namespace-service-port}; {@code -} for none. */
    static String upstreamName(UpstreamKey key) {
        return key == null ? "-" : key.namespace() + "-" + key.service() + "-" + key.port();
    }

    private static String request(AccessLogRecord r) {
        return r.method + " " + pathAndQuery(r) + " " + r.protocol;
    }

    private static String pathAndQuery(AccessLogRecord r) {
        String path = r.uri.getRawPath();
        String query = r.uri.getRawQuery();
        String start = path == null || path.isEmpty() ? "/" : path;
        return query == null ? start : start + "?" + query;
    }

    private static StringBuilder upstreamAddresses(StringBuilder line, AccessLogRecord r) {
        if (r.attempts == 0) {
            return line.append('-');
        }
        for (int i = 0; i < r.attempts; i++) {
            separate(line, i).append(r.upstreamAddresses[i]);
        }
        return line;
    }

    private static StringBuilder upstreamLengths(StringBuilder line, AccessLogRecord r) {
        if (r.attempts == 0) {
            return line.append('-');
        }
        for (int i = 0; i < r.attempts; i++) {
            separate(line, i).append(r.upstreamLengths[i]);
        }
        return line;
    }

    private static StringBuilder upstreamTimes(StringBuilder line, AccessLogRecord r) {
        if (r.attempts == 0) {
            return line.append('-');
        }
        for (int i = 0; i < r.attempts; i++) {
            seconds(separate(line, i), r.upstreamNanos[i]);
        }
        return line;
    }

    private static StringBuilder upstreamStatuses(StringBuilder line, AccessLogRecord r) {
        if (r.attempts == 0) {
            return line.append('-');
        }
        for (int i = 0; i < r.attempts; i++) {
            int status = r.upstreamStatuses[i];
            if (status == AccessLogRecord.NO_STATUS) {
                separate(line, i).append('-');
            } else {
                separate(line, i).append(status);
            }
        }
        return line;
    }

    /** nginx separates the attempts of one upstream group by a comma and a space. */
    private static StringBuilder separate(StringBuilder line, int index) {
        return index == 0 ? line : line.append(", ");
    }

    /** Seconds with millisecond resolution, as nginx writes {@code $request_time}: {@code 0.004}. */
    private static StringBuilder seconds(StringBuilder line, long nanos) {
        long millis = Math.max(0, nanos) / 1_000_000;
        line.append(millis / 1000).append('.');
        long fraction = millis % 1000;
        if (fraction < 100) {
            line.append('0');
        }
        if (fraction < 10) {
            line.append('0');
        }
        return line.append(fraction);
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    /** nginx's default escaping of a variable in a log line. */
    private static void escaped(StringBuilder line, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
                if (c < 0x100) {
                    hex(line, c);
                } else {
                    for (byte b : String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                        hex(line, b & 0xff);
                    }
                }
            } else {
                line.append(c);
            }
        }
    }

    private static void hex(StringBuilder line, int b) {
        line.append("\\x").append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
    }

    /** {@code "name":"value"} with JSON escaping, or {@code "name":null}. */
    private static StringBuilder jsonString(StringBuilder line, String name, String value) {
        line.append('"').append(name).append("\":");
        if (value == null) {
            return line.append("null");
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        line.append("\\u00").append(Character.forDigit(c >> 4, 16))
                                .append(Character.forDigit(c & 0xf, 16));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        return line.append('"');
    }
}
