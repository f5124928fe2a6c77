package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BalancePolicy;
import io.ingressgateway.model.policy.BalancePolicy.Algorithm;
import io.ingressgateway.model.policy.BalancePolicy.CookieAffinity;
import io.ingressgateway.model.policy.BalancePolicy.HashKey;
import io.ingressgateway.model.policy.BalancePolicy.HashKey.Part;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The endpoint choice family: how a request picks one ready endpoint of its upstream, read as ingress-nginx reads it.
 * {@code affinity: cookie} (with {@code affinity-mode} and the {@code session-cookie-*} attributes) pins a client to an
 * endpoint by a cookie; {@code upstream-hash-by} hashes a key made of nginx variables consistently onto the endpoints;
 * {@code load-balance} picks {@code round_robin} (the default) or {@code ewma}. Cookie affinity wins over hashing,
 * which wins over the algorithm, as in ingress-nginx's balancer.
 *
 * <p>{@code upstream-hash-by-subset} (hash onto a subset, then pick at random inside it) is not served: set to true it
 * is a warning and plain consistent hashing applies. A hash key with a variable the gateway does not evaluate is a
 * warning and the key is not used.
 */
public final class BalanceAnnotations implements AnnotationFamily<BalancePolicy> {

    public static final String AFFINITY = "affinity";
    public static final String AFFINITY_MODE = "affinity-mode";
    public static final String COOKIE_NAME = "session-cookie-name";
    public static final String COOKIE_PATH = "session-cookie-path";
    public static final String COOKIE_DOMAIN = "session-cookie-domain";
    public static final String COOKIE_EXPIRES = "session-cookie-expires";
    public static final String COOKIE_MAX_AGE = "session-cookie-max-age";
    public static final String COOKIE_SECURE = "session-cookie-secure";
    public static final String COOKIE_SAMESITE = "session-cookie-samesite";
    public static final String COOKIE_CONDITIONAL_SAMESITE_NONE = "session-cookie-conditional-samesite-none";
    public static final String COOKIE_CHANGE_ON_FAILURE = "session-cookie-change-on-failure";
    public static final String HASH_BY = "upstream-hash-by";
    public static final String HASH_BY_SUBSET = "upstream-hash-by-subset";
    public static final String LOAD_BALANCE = "load-balance";

    private static final List<String> COOKIE_SETTINGS = List.of(COOKIE_NAME, COOKIE_PATH, COOKIE_DOMAIN,
            COOKIE_EXPIRES, COOKIE_MAX_AGE, COOKIE_SECURE, COOKIE_SAMESITE, COOKIE_CONDITIONAL_SAMESITE_NONE,
            COOKIE_CHANGE_ON_FAILURE, AFFINITY_MODE);

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(AFFINITY, AFFINITY_MODE,
            COOKIE_NAME, COOKIE_PATH, COOKIE_DOMAIN, COOKIE_EXPIRES, COOKIE_MAX_AGE, COOKIE_SECURE, COOKIE_SAMESITE,
            COOKIE_CONDITIONAL_SAMESITE_NONE, COOKIE_CHANGE_ON_FAILURE, HASH_BY, HASH_BY_SUBSET, LOAD_BALANCE);

    /** An RFC 6265 cookie name (a token). */
    private static final Pattern COOKIE_TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,256}");
    /** A cookie path: printable, no semicolon or blank. */
    private static final Pattern COOKIE_PATH_VALUE = Pattern.compile("/[\\x21-\\x3A\\x3C-\\x7E]{0,1023}");
    private static final Pattern DOMAIN = Pattern.compile(
            "\\.?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");
    /** A variable name as nginx reads one after {@code $}. */
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z0-9_]+");
    /** Ten years: longer cookie lifetimes are refused rather than overflowing dates. */
    private static final int MAX_SECONDS = 10 * 366 * 24 * 3600;

    @Override
    public String name() {
        return "endpoint choice";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<BalancePolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        CookieAffinity affinity = affinity(reader);
        HashKey hashBy = reader.read(HASH_BY, BalanceAnnotations::hashKey);
        Boolean subset = reader.flag(HASH_BY_SUBSET);
        if (Boolean.TRUE.equals(subset)) {
            reader.warn(reader.keyOf(HASH_BY_SUBSET), reader.raw(HASH_BY_SUBSET),
                    "asks for hashing onto a subset of endpoints, which this gateway does not support",
                    hashBy != null ? "each key is hashed onto one endpoint" : "nothing changes");
        }
        Algorithm algorithm = reader.read(LOAD_BALANCE, BalanceAnnotations::algorithm);
        if (affinity == null && hashBy == null && (algorithm == null || algorithm == Algorithm.ROUND_ROBIN)) {
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new BalancePolicy(affinity, hashBy,
                algorithm == null ? Algorithm.ROUND_ROBIN : algorithm), diagnostics);
    }

    /** Cookie affinity when {@code affinity: cookie}; the cookie settings alone are a warning each, as they do nothing. */
    private static CookieAffinity affinity(AnnotationReader reader) {
        String affinity = reader.read(AFFINITY, value -> {
            if (!value.equals("cookie")) {
                throw new Invalid("is not \"cookie\", the only affinity ingress-nginx knows");
            }
            return value;
        });
        if (affinity == null) {
            for (String setting : COOKIE_SETTINGS) {
                if (reader.isSet(setting)) {
                    reader.warn(reader.keyOf(setting), reader.raw(setting), "has no effect without affinity: cookie",
                            "nothing changes");
                }
            }
            return null;
        }
        String name = reader.read(COOKIE_NAME, value -> match(value, COOKIE_TOKEN, "is not a cookie name"));
        String path = reader.read(COOKIE_PATH, value -> match(value, COOKIE_PATH_VALUE,
                "is not a cookie path (it must start with / and hold no blank or semicolon)"));
        String domain = reader.read(COOKIE_DOMAIN, value -> match(value.toLowerCase(Locale.ROOT), DOMAIN,
                "is not a domain name"));
        Integer expires = reader.read(COOKIE_EXPIRES, value -> AnnotationReader.integer(value, 1, MAX_SECONDS));
        Integer maxAge = reader.read(COOKIE_MAX_AGE, value -> AnnotationReader.integer(value, 1, MAX_SECONDS));
        Boolean secure = reader.flag(COOKIE_SECURE);
        String sameSite = reader.read(COOKIE_SAMESITE, BalanceAnnotations::sameSite);
        Boolean conditional = reader.flag(COOKIE_CONDITIONAL_SAMESITE_NONE);
        Boolean changeOnFailure = reader.flag(COOKIE_CHANGE_ON_FAILURE);
        Boolean persistent = reader.read(AFFINITY_MODE, value -> switch (value) {
            case "balanced" -> Boolean.FALSE;
            case "persistent" -> Boolean.TRUE;
            default -> throw new Invalid("is not \"balanced\" or \"persistent\"");
        });
        return new CookieAffinity(name == null ? CookieAffinity.DEFAULT_NAME : name, path, domain,
                expires == null ? null : expires.longValue(), maxAge == null ? null : maxAge.longValue(),
                secure, sameSite, Boolean.TRUE.equals(conditional),
                Boolean.TRUE.equals(changeOnFailure), Boolean.TRUE.equals(persistent));
    }

    private static String match(String value, Pattern pattern, String reason) throws Invalid {
        if (!pattern.matcher(value).matches()) {
            throw new Invalid(reason);
        }
        return value;
    }

    /** {@code None}, {@code Lax} or {@code Strict}, any case, written back as spelled here. */
    static String sameSite(String value) throws Invalid {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> "None";
            case "lax" -> "Lax";
            case "strict" -> "Strict";
            default -> throw new Invalid("is not None, Lax or Strict");
        };
    }

    static Algorithm algorithm(String value) throws Invalid {
        return switch (value) {
            case "round_robin" -> Algorithm.ROUND_ROBIN;
            case "ewma" -> Algorithm.EWMA;
            default -> throw new Invalid("is not round_robin or ewma");
        };
    }

    /**
     * A hash key as nginx's {@code hash} directive reads one: literal text and {@code $name} or {@code ${name}}
     * variables. Served variables: {@code $remote_addr}, {@code $request_uri}, {@code $uri}, {@code $host},
     * {@code $args} ({@code $query_string}), {@code $http_<name>}, {@code $cookie_<name>}, {@code $arg_<name>}.
     */
    static HashKey hashKey(String value) throws Invalid {
        HashKey key = nginxText(value);
        if (key.parts().stream().allMatch(part -> part.kind() == Part.Kind.LITERAL)) {
            throw new Invalid("holds no variable, so every request would hash to one endpoint");
        }
        return key;
    }

    /**
     * Text with nginx variables, as {@link #hashKey} reads it but allowing text alone (a key every request shares,
     * as a {@code global-rate-limit-key} may be).
     */
    static HashKey nginxText(String value) throws Invalid {
        if (value.isEmpty()) {
            throw new Invalid("is empty");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '$') {
                literal.append(c);
                i++;
                continue;
            }
            String name;
            if (i + 1 < value.length() && value.charAt(i + 1) == '{') {
                int close = value.indexOf('}', i + 2);
                if (close < 0) {
                    throw new Invalid("has a ${ without its }");
                }
                name = value.substring(i + 2, close);
                i = close + 1;
            } else {
                int end = i + 1;
                while (end < value.length() && isNameChar(value.charAt(end))) {
                    end++;
                }
                name = value.substring(i + 1, end);
                i = end;
            }
            if (!VARIABLE_NAME.matcher(name).matches()) {
                throw new Invalid("has a $ that starts no variable name");
            }
            if (!literal.isEmpty()) {
                parts.add(new Part(Part.Kind.LITERAL, literal.toString()));
                literal.setLength(0);
            }
            parts.add(variable(name));
        }
        if (!literal.isEmpty()) {
            parts.add(new Part(Part.Kind.LITERAL, literal.toString()));
        }
        return new HashKey(parts, value);
    }

    private static boolean isNameChar(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static Part variable(String name) throws Invalid {
        String lower = name.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "remote_addr":
                return new Part(Part.Kind.REMOTE_ADDR, null);
            case "request_uri":
                return new Part(Part.Kind.REQUEST_URI, null);
            case "uri":
            case "document_uri":
                return new Part(Part.Kind.URI, null);
            case "host":
                return new Part(Part.Kind.HOST, null);
            case "args":
            case "query_string":
                return new Part(Part.Kind.ARGS, null);
            default:
                break;
        }
        if (lower.startsWith("http_") && lower.length() > 5) {
            // nginx: the header name lower-cased, dashes written as underscores.
            return new Part(Part.Kind.HEADER, lower.substring(5).replace('_', '-'));
        }
        if (name.startsWith("cookie_") && name.length() > 7) {
            return new Part(Part.Kind.COOKIE, name.substring(7));
        }
        if (name.startsWith("arg_") && name.length() > 4) {
            return new Part(Part.Kind.ARG, name.substring(4));
        }
        throw new Invalid("uses $" + name + ", which this gateway does not evaluate (it serves $remote_addr,"
                + " $request_uri, $uri, $host, $args, $http_<name>, $cookie_<name> and $arg_<name>)");
    }
}
