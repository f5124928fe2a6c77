package io.ingressgateway.translate;

import com.google.re2j.PatternSyntaxException;
import io.ingressgateway.model.PathMatch;

/**
 * Validates an Ingress path for its {@code pathType} and turns it into a {@link PathMatch}.
 *
 * <ul>
 *   <li>{@code Exact}: compared as written, case-sensitively; an empty path is invalid.</li>
 *   <li>{@code Prefix}: element-wise prefix, the trailing slash ignored; an empty path means {@code /}.</li>
 *   <li>{@code ImplementationSpecific}: treated as {@code Prefix}. This differs from ingress-nginx, where it is a
 *       plain string prefix ({@code /foo} also matches {@code /foobar}) or, with {@code use-regex}, a regular
 *       expression; an element-wise prefix is the portable reading and cannot leak a path into its neighbours.
 *       Regular expressions are refused with a diagnostic rather than silently matched literally.</li>
 * </ul>
 * When the Ingress turns regex on for the path ({@code use-regex}, or a {@code rewrite-target} that rewrites it), the
 * path is a regular expression whatever its {@code pathType}, as in ingress-nginx ({@link PathMatch.Type#REGEX}): kept
 * as written, refused when RE2 cannot compile it (backreferences, lookaround) or when it is longer than
 * {@value PathMatch#MAX_REGEX_LENGTH} characters. ingress-nginx accepts regex characters in Prefix paths only when its
 * {@code strict-validate-path-type} is off; they are accepted here, since many Ingresses written for it do that.
 * Paths that would match differently depending on how a client or proxy normalises them (dot segments, doubled or
 * encoded slashes) are refused, as are query, fragment, whitespace and control characters.
 */
final class PathRules {

    static final String EXACT = "Exact";
    static final String PREFIX = "Prefix";
    static final String IMPLEMENTATION_SPECIFIC = "ImplementationSpecific";

    private static final String REGEX_CHARACTERS = "*()[]{}^$|+\\";

    /** A path match, or the problem with the field ({@code path} or {@code pathType}) it concerns. */
    record Result(PathMatch match, String field, String problem) {

        static Result invalid(String field, String problem) {
            return new Result(null, field, problem);
        }
    }

    private PathRules() {
    }

    static Result parse(String path, String pathType) {
        return parse(path, pathType, false);
    }

    /** @param regex whether the path's Ingress turns regex on for it */
    static Result parse(String path, String pathType, boolean regex) {
        if (pathType == null || pathType.isEmpty()) {
            return Result.invalid("pathType", "pathType is required (Exact, Prefix or ImplementationSpecific)");
        }
        boolean exact = pathType.equals(EXACT);
        if (!exact && !pathType.equals(PREFIX) && !pathType.equals(IMPLEMENTATION_SPECIFIC)) {
            return Result.invalid("pathType", "unknown pathType '" + pathType
                    + "' (expected Exact, Prefix or ImplementationSpecific)");
        }
        String p = path == null ? "" : path;
        if (p.isEmpty()) {
            if (exact) {
                return Result.invalid("path", "an Exact path must not be empty");
            }
            p = "/";
        }
        if (regex) {
            String problem = regexProblem(p);
            return problem != null ? Result.invalid("path", "path '" + p + "' " + problem)
                    : new Result(PathMatch.regex(p), null, null);
        }
        String problem = problem(p, exact);
        if (problem != null) {
            return Result.invalid("path", "path '" + p + "' " + problem);
        }
        return new Result(exact ? PathMatch.exact(p) : PathMatch.prefix(p), null, null);
    }

    /** What is wrong with a regular-expression path, or null. */
    static String regexProblem(String path) {
        if (path.length() > PathMatch.MAX_REGEX_LENGTH) {
            return "is longer than " + PathMatch.MAX_REGEX_LENGTH + " characters, the limit for a regular expression";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                return "must not contain whitespace or control characters";
            }
        }
        if (!path.startsWith("/")) {
            return "must start with '/'";
        }
        try {
            PathMatch.regex(path).regex();
        } catch (PatternSyntaxException e) {
            return "is not a regular expression RE2 accepts (no backreferences nor lookaround): "
                    + e.getDescription();
        }
        return null;
    }

    private static String problem(String path, boolean exact) {
        // Characters first: "^/api" is better reported as a regular expression than as a relative path.
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                return "must not contain whitespace or control characters";
            }
            if (c == '?' || c == '#') {
                return "must not contain '?' or '#' (query and fragment are not part of the path)";
            }
            if (!exact && REGEX_CHARACTERS.indexOf(c) >= 0) {
                return "contains '" + c + "': regular expressions are not supported without the"
                        + " use-regex or rewrite-target annotation";
            }
        }
        if (!path.startsWith("/")) {
            return "must start with '/'";
        }
        if (path.contains("//") || path.contains("/./") || path.contains("/../")
                || path.endsWith("/.") || path.endsWith("/..")) {
            return "must not contain '//' or '.' / '..' segments";
        }
        if (path.contains("%2f") || path.contains("%2F")) {
            return "must not contain an encoded slash ('%2F')";
        }
        return null;
    }
}
