package io.ingressgateway.model;

import com.google.re2j.Pattern;

/**
 * The path part of an Ingress rule after translation.
 *
 * <p>{@code EXACT} compares the whole path, case-sensitively. {@code PREFIX} matches by path element: {@code /foo}
 * matches {@code /foo}, {@code /foo/} and {@code /foo/bar}, never {@code /foobar}. A prefix is stored without its
 * trailing slash (except the root {@code /}), because Kubernetes says the trailing slash of a Prefix is ignored.
 * {@code ImplementationSpecific} paths are translated to {@code PREFIX} (see README).
 *
 * <p>{@code REGEX} is ingress-nginx's regular-expression location, {@code location ~* "^<path>"}: the path as written is
 * a regular expression, matched case-insensitively from the start of the request path and not anchored at its end
 * ({@code /api} also matches {@code /apis}). It is compiled with RE2 ({@link #regex()}), which matches in time linear
 * in the path, whatever the expression.
 */
public record PathMatch(Type type, String path) {

    public enum Type { EXACT, PREFIX, REGEX }

    /** The longest regular-expression path accepted: longer ones are refused, not compiled. */
    public static final int MAX_REGEX_LENGTH = 1024;

    public static PathMatch exact(String path) {
        return new PathMatch(Type.EXACT, path);
    }

    /** A prefix match; the trailing slashes of {@code path} are dropped, {@code /} stays {@code /}. */
    public static PathMatch prefix(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return new PathMatch(Type.PREFIX, p);
    }

    /** A regular-expression match of {@code pattern}, kept as written (see {@link #regex()}). */
    public static PathMatch regex(String pattern) {
        return new PathMatch(Type.REGEX, pattern);
    }

    /**
     * The compiled expression of a {@code REGEX} path, as ingress-nginx writes it: {@code ^} then the path, case
     * insensitive; a match is searched for ({@code find}), so nothing anchors the end.
     *
     * @throws com.google.re2j.PatternSyntaxException when RE2 cannot compile it (backreferences, lookaround, ...)
     * @throws IllegalStateException when this is not a {@code REGEX} path
     */
    public Pattern regex() {
        if (type != Type.REGEX) {
            throw new IllegalStateException("not a regular-expression path: " + this);
        }
        return Pattern.compile("^" + path, Pattern.CASE_INSENSITIVE);
    }

    /**
     * Whether a request path (without query) matches this rule. A {@code REGEX} path is compiled for each call: the
     * data plane compiles each route's once ({@code RouteTable}).
     */
    public boolean matches(String requestPath) {
        if (type == Type.EXACT) {
            return path.equals(requestPath);
        }
        if (type == Type.REGEX) {
            return regex().matcher(requestPath).find();
        }
        if (path.equals("/")) {
            return true;
        }
        return requestPath.startsWith(path)
                && (requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/');
    }

    @Override
    public String toString() {
        return type + " " + path;
    }
}
