package io.ingressgateway.gateway.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The form of a request path that Ingress rules are matched against, as nginx computes it before choosing a
 * location: percent-escapes decoded, {@code .} and {@code ..} segments resolved, runs of slashes merged.
 *
 * <p>Matching the raw path instead would let {@code /public/../admin} or {@code /public/%2e%2e/admin} match a rule
 * for {@code /public} and reach an upstream that resolves it to {@code /admin}: a path-confusion hole. The request is
 * still forwarded with its path exactly as received, as ingress-nginx does.
 */
public final class RequestPath {

    private RequestPath() {
    }

    public static String normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        if (rawPath.indexOf('%') < 0 && !rawPath.contains("//") && !rawPath.contains("/.")) {
            return rawPath; // the common case: nothing to do, no allocation
        }
        return resolveSegments(decode(rawPath));
    }

    /** Decodes %XX escapes as UTF-8; a malformed escape is kept literally (it can never match a valid rule path). */
    private static String decode(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '%' && i + 2 < path.length()
                    && hex(path.charAt(i + 1)) >= 0 && hex(path.charAt(i + 2)) >= 0) {
                bytes.write(hex(path.charAt(i + 1)) * 16 + hex(path.charAt(i + 2)));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    /** Merges slashes and resolves dot segments; {@code ..} never climbs above the root. */
    private static String resolveSegments(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (String segment : segments) {
            out.append('/').append(segment);
        }
        boolean trailingSlash = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        if (out.length() == 0 || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }
}
