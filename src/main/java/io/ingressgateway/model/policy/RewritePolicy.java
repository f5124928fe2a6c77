package io.ingressgateway.model.policy;

import java.util.function.IntFunction;

/**
 * How an Ingress asks its request paths to be matched and rewritten, from ingress-nginx's rewrite annotations (the
 * regex and rewrite family). Null fields are "not set".
 *
 * <p>A path of the Ingress is a regular expression when {@code use-regex} is on, or when the Ingress rewrites it
 * ({@link #regexFor}); then the host's other paths are regular expressions too (the translator sees to that, as
 * ingress-nginx does for every location of a server where one location uses regex or rewrite).
 *
 * @param useRegex          {@code use-regex}: the Ingress's paths are regular expressions
 * @param target            {@code rewrite-target}: the path sent upstream, where {@code $1}..{@code $9} stand for the
 *                          capture groups of the route's expression in the request path
 * @param appRoot           {@code app-root}: where a request for {@code /} is redirected (302)
 * @param xForwardedPrefix  {@code x-forwarded-prefix}: the {@code X-Forwarded-Prefix} header sent upstream with a
 *                          rewritten request (captures expanded as in {@code target})
 */
public record RewritePolicy(boolean useRegex, String target, String appRoot, String xForwardedPrefix)
        implements RoutePolicy {

    /**
     * Whether a path of this Ingress, as written, is rewritten: a target is set and differs from the path (ingress-nginx
     * leaves a path whose target is itself alone, and does not turn regex on for it).
     */
    public boolean rewrites(String pathAsWritten) {
        return target != null && !target.equals(pathAsWritten);
    }

    /** Whether a path of this Ingress, as written, is a regular expression. */
    public boolean regexFor(String pathAsWritten) {
        return useRegex || rewrites(pathAsWritten);
    }

    /**
     * {@code template} with each {@code $1}..{@code $9} replaced by that capture group ({@code groups}; empty when the
     * group did not take part or does not exist). A {@code $} not followed by a digit stays as it is (the parser
     * refuses those).
     */
    public static String expand(String template, IntFunction<String> groups, int groupCount) {
        if (template.indexOf('$') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder(template.length() + 16);
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '$' && i + 1 < template.length() && template.charAt(i + 1) >= '1'
                    && template.charAt(i + 1) <= '9') {
                int group = template.charAt(i + 1) - '0';
                String value = group <= groupCount ? groups.apply(group) : null;
                if (value != null) {
                    out.append(value);
                }
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
