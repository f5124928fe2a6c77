package io.ingressgateway.gateway.route;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request path as the gateway forwards it and as Ingress rules are matched against it. The two must name the same
 * resource: an upstream must never serve another path than the one whose rule let the request through.
 *
 * <p>{@link #forwardable(String)} is the path sent upstream: the raw path itself for ordinary paths (no work, no
 * allocation), with {@code .} and {@code ..} segments resolved and runs of slashes merged when it has any (browsers
 * already remove dot segments, so only hand-made requests change), or null when the path is ambiguous and refused:
 * <ul>
 *   <li>an encoded slash or backslash ({@code %2F}, {@code %5C}) or a raw backslash: upstreams disagree on whether
 *       they separate segments, so {@code /admin/..%2Fpublic} is {@code /public} to some and {@code /admin} to
 *       others;</li>
 *   <li>a NUL byte, raw or {@code %00}: C-based upstreams end the path there;</li>
 *   <li>a dot segment written with escapes ({@code %2e%2e}) or with parameters ({@code ..;}, {@code .;x}): Tomcat and
 *       Jetty resolve {@code ..;} as {@code ..}, others see a plain name;</li>
 *   <li>{@code ..} above the root and malformed escapes ({@code %zz}), which nginx answers 400 too.</li>
 * </ul>
 *
 * <p>{@link #normalize(String)} is the form rules are matched against: the forwardable path with its escapes decoded.
 * Since neither encoded slashes nor encoded dot segments are forwarded, decoding changes no segment boundary: what is
 * matched is what is forwarded.
 */
public final class RequestPath {

    private RequestPath() {
    }

    /**
     * The path to forward: {@code rawPath} itself when nothing needs doing, a new string with dot segments resolved
     * and slashes merged, or null when the path is refused (see the class comment). An empty path stays empty.
     */
    public static String forwardable(String rawPath) {
        if (rawPath == null) {
            return null;
        }
        if (isPlain(rawPath)) {
            return rawPath; // the common case: one pass over the characters, no allocation
        }
        return resolve(rawPath);
    }

    /**
     * The form Ingress rules are matched against: the forwardable path, its escapes decoded as UTF-8; "/" for an
     * empty path; null when the path is refused.
     */
    public static String normalize(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        String forwarded = forwardable(rawPath);
        return forwarded == null ? null : decode(forwarded);
    }

    /**
     * Whether the path can be forwarded and matched as it is: starts with a slash, no escape, backslash or control
     * character, no empty segment and no segment starting with a dot (which takes the careful path, where
     * {@code .well-known} is let through unchanged).
     */
    private static boolean isPlain(String path) {
        int length = path.length();
        if (length == 0) {
            return true;
        }
        if (path.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = path.charAt(i);
            if (c == '%' || c == '\\' || c < 0x20 || c == 0x7f) {
                return false;
            }
            if (c == '/' && i + 1 < length) {
                char next = path.charAt(i + 1);
                if (next == '/' || next == '.') {
                    return false;
                }
            }
        }
        return true;
    }

    /** Checks each segment, drops empty and {@code .} ones, resolves {@code ..}; null when the path is refused. */
    private static String resolve(String path) {
        if (path.charAt(0) != '/') {
            return null;
        }
        List<String> segments = new ArrayList<>();
        boolean trailingSlash = false;
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end);
            boolean last = end == path.length();
            switch (kind(segment)) {
                case REFUSED -> {
                    return null;
                }
                case EMPTY, CURRENT -> trailingSlash = last;
                case PARENT -> {
                    if (segments.isEmpty()) {
                        return null; // above the root
                    }
                    segments.remove(segments.size() - 1);
                    trailingSlash = last;
                }
                case NAME -> {
                    segments.add(segment);
                    trailingSlash = false;
                }
            }
            start = end + 1;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (String segment : segments) {
            out.append('/').append(segment);
        }
        if (out.isEmpty() || trailingSlash) {
            out.append('/');
        }
        String resolved = out.toString();
        return resolved.equals(path) ? path : resolved;
    }

    private enum Kind { EMPTY, CURRENT, PARENT, NAME, REFUSED }

    /**
     * What a raw segment is. Its decoded form, up to a parameter ({@code ;}, raw or escaped), decides whether it is a
     * dot segment; only the plain {@code .} and {@code ..} are resolved, any other spelling of one is refused.
     */
    private static Kind kind(String segment) {
        if (segment.isEmpty()) {
            return Kind.EMPTY;
        }
        if (segment.equals(".")) {
            return Kind.CURRENT;
        }
        if (segment.equals("..")) {
            return Kind.PARENT;
        }
        int dots = 0;
        boolean onlyDotsSoFar = true;
        boolean dotSegment = false;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            int decoded = c;
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    return Kind.REFUSED;
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return Kind.REFUSED;
                }
                decoded = high * 16 + low;
                i += 2;
            }
            if (decoded == 0 || decoded == '/' || decoded == '\\' || c < 0x20 || c == 0x7f) {
                return Kind.REFUSED;
            }
            if (onlyDotsSoFar) {
                if (decoded == '.') {
                    dots++;
                } else {
                    onlyDotsSoFar = false;
                    // A dot segment ends here when parameters follow it: "..;x" is ".." to Tomcat.
                    dotSegment = decoded == ';' && (dots == 1 || dots == 2);
                }
            }
        }
        if (onlyDotsSoFar) {
            dotSegment = dots == 1 || dots == 2; // spelled with escapes, or the plain ones were handled above
        }
        return dotSegment ? Kind.REFUSED : Kind.NAME;
    }

    /** Decodes %XX escapes as UTF-8 (a forwardable path has only well-formed ones). */
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
}
