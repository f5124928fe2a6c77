package io.ingressgateway.model;

/**
 * The path part of an Ingress rule after translation.
 *
 * <p>{@code EXACT} compares the whole path, case-sensitively. {@code PREFIX} matches by path element: {@code /foo}
 * matches {@code /foo}, {@code /foo/} and {@code /foo/bar}, never {@code /foobar}. A prefix is stored without its
 * trailing slash (except the root {@code /}), because Kubernetes says the trailing slash of a Prefix is ignored.
 * {@code ImplementationSpecific} paths are translated to {@code PREFIX} (see README).
 */
public record PathMatch(Type type, String path) {

    public enum Type { EXACT, PREFIX }

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

    /** Whether a request path (without query) matches this rule. */
    public boolean matches(String requestPath) {
        if (type == Type.EXACT) {
            return path.equals(requestPath);
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
