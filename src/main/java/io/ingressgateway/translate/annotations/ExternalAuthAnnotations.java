package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ExternalAuthPolicy;
import io.ingressgateway.model.policy.ExternalAuthPolicy.CacheRule;
import io.ingressgateway.model.policy.ExternalAuthPolicy.ProxySetHeaders;
import io.ingressgateway.model.policy.NginxTemplate;
import io.ingressgateway.model.policy.NginxTemplate.Part;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The external authentication family (ingress-nginx's {@code auth-url} and its companions) read into an
 * {@link ExternalAuthPolicy} that the data plane's {@code ExternalAuthFilter} applies to every route of the Ingress.
 *
 * <p>Security first, as ingress-nginx: an {@code auth-url}, {@code auth-method}, {@code auth-response-headers},
 * {@code auth-cache-duration} or {@code auth-proxy-set-headers} that cannot be read makes the route answer 503
 * (ingress-nginx denies the location), so an Ingress that asks for authentication is never served without it; the
 * ConfigMap {@code auth-proxy-set-headers} names is read afterwards by the translator, and a missing or invalid one
 * denies the route too. The other keys are warnings and keep their defaults. Values may contain the nginx variables
 * ingress-nginx documents ({@code $host}, {@code $request_uri},
 * {@code $escaped_request_uri}, {@code $http_<header>}, ...): they are checked here and filled in per request, never
 * evaluated as configuration; an unknown variable is refused like any unreadable value.
 *
 * <p>{@code auth-keepalive*} need no annotation here (the gateway keeps its connections to auth services alive in a
 * bounded pool of its own) and {@code auth-snippet} is never evaluated: {@link NginxAnnotationCatalog} says so.
 */
public final class ExternalAuthAnnotations implements AnnotationFamily<ExternalAuthPolicy> {

    public static final String URL = "auth-url";
    public static final String METHOD = "auth-method";
    public static final String SIGNIN = "auth-signin";
    public static final String SIGNIN_REDIRECT_PARAM = "auth-signin-redirect-param";
    public static final String RESPONSE_HEADERS = "auth-response-headers";
    public static final String REQUEST_REDIRECT = "auth-request-redirect";
    public static final String ALWAYS_SET_COOKIE = "auth-always-set-cookie";
    public static final String CACHE_KEY = "auth-cache-key";
    public static final String CACHE_DURATION = "auth-cache-duration";
    public static final String PROXY_SET_HEADERS = "auth-proxy-set-headers";

    /** ingress-nginx's default redirect parameter of {@code auth-signin}. */
    static final String DEFAULT_REDIRECT_PARAM = "rd";
    /** ingress-nginx's default {@code auth-cache-duration}. */
    static final String DEFAULT_CACHE_DURATION = "200 202 401 5m";

    /** Variables the data plane fills in; {@code http_*}, {@code cookie_*} and {@code arg_*} besides. */
    public static final Set<String> VARIABLES = Set.of("host", "http_host", "best_http_host", "scheme",
            "pass_access_scheme", "request_uri", "escaped_request_uri", "uri", "args", "query_string", "is_args",
            "request_method", "remote_addr", "remote_user");
    private static final Pattern VARIABLE_FAMILY = Pattern.compile("(http|cookie|arg)_[A-Za-z0-9_]+");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");
    /** ingress-nginx's characters of a URL that may hold variables, plus percent-escapes and {@code ${name}}. */
    private static final Pattern URL_CHARACTERS = Pattern.compile("[A-Za-z0-9\\-._~/:,?&=$%{}]+");
    /** ingress-nginx's characters of a plain URL ({@code auth-request-redirect}, the redirect parameter). */
    private static final Pattern PLAIN_URL_CHARACTERS = Pattern.compile("[A-Za-z0-9\\-._~/:,?&=%]+");
    private static final Pattern CACHE_KEY_CHARACTERS = Pattern.compile("[A-Za-z0-9\\-_${}]+");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9\\-_]+");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT",
            "OPTIONS", "TRACE");
    private static final Pattern STATUS = Pattern.compile("\\d{3}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w|M|y)");

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(URL, METHOD, SIGNIN,
            SIGNIN_REDIRECT_PARAM, RESPONSE_HEADERS, REQUEST_REDIRECT, ALWAYS_SET_COOKIE, CACHE_KEY, CACHE_DURATION, PROXY_SET_HEADERS);

    @Override
    public String name() {
        return "external authentication";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<ExternalAuthPolicy> parse(Map<String, String> annotations) {
        try {
            return read(annotations);
        } catch (RuntimeException e) {
            // The registry would apply the defaults (no authentication) to a family that fails: deny instead.
            return new Parsed<>(ExternalAuthPolicy.refused("its external authentication annotations could not be"
                    + " read"), List.of(Diagnostic.warning("metadata.annotations", "the external authentication"
                    + " annotations could not be read (" + e + "); the Ingress's paths answer 503 until they are"
                    + " fixed")));
        }
    }

    private Parsed<ExternalAuthPolicy> read(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        if (!reader.isSet(URL)) {
            for (String key : annotations.keySet()) {
                diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), "has no effect without "
                        + AnnotationReader.NGINX_PREFIX + URL + " (or " + AnnotationReader.OUR_PREFIX + URL
                        + "); ignored"));
            }
            return new Parsed<>(null, diagnostics);
        }
        // Settings whose misreading would weaken or misdirect the check deny the route instead of falling back.
        NginxTemplate url = required(reader, URL, ExternalAuthAnnotations::url, diagnostics);
        String method = reader.isSet(METHOD) ? required(reader, METHOD, ExternalAuthAnnotations::method, diagnostics)
                : null;
        List<String> responseHeaders = reader.isSet(RESPONSE_HEADERS)
                ? required(reader, RESPONSE_HEADERS, ExternalAuthAnnotations::headerNames, diagnostics) : List.of();
        List<CacheRule> cacheRules = required(reader, CACHE_DURATION, ExternalAuthAnnotations::cacheRules,
                diagnostics, DEFAULT_CACHE_DURATION);
        // Read by the translator afterwards (AuthProxyHeaderConfigMaps): a ConfigMap of the Ingress's namespace.
        String proxySetHeaders = reader.isSet(PROXY_SET_HEADERS)
                ? required(reader, PROXY_SET_HEADERS, BasicAuthAnnotations::secretReference, diagnostics) : null;
        if (url == null || (reader.isSet(METHOD) && method == null)
                || (reader.isSet(RESPONSE_HEADERS) && responseHeaders == null) || cacheRules == null
                || (reader.isSet(PROXY_SET_HEADERS) && proxySetHeaders == null)) {
            return new Parsed<>(ExternalAuthPolicy.refused("its external authentication annotations cannot be read"),
                    diagnostics);
        }
        String redirectParam = reader.read(SIGNIN_REDIRECT_PARAM, ExternalAuthAnnotations::redirectParam);
        NginxTemplate signin = reader.read(SIGNIN, value -> signin(value,
                redirectParam == null ? DEFAULT_REDIRECT_PARAM : redirectParam));
        String requestRedirect = reader.read(REQUEST_REDIRECT, ExternalAuthAnnotations::plainUrl);
        Boolean alwaysSetCookie = reader.flag(ALWAYS_SET_COOKIE);
        NginxTemplate cacheKey = reader.read(CACHE_KEY, ExternalAuthAnnotations::cacheKey);
        return new Parsed<>(new ExternalAuthPolicy(null, url, method, signin, responseHeaders, requestRedirect,
                Boolean.TRUE.equals(alwaysSetCookie), cacheKey, cacheKey == null ? List.of() : cacheRules,
                proxySetHeaders == null ? null : new ProxySetHeaders(proxySetHeaders, Map.of())), diagnostics);
    }

    /** The value of a setting that must be readable for the route to be served; null (and a warning) when not. */
    private static <T> T required(AnnotationReader reader, String name, AnnotationReader.Parser<T> parser,
                                  List<Diagnostic> diagnostics) {
        return required(reader, name, parser, diagnostics, null);
    }

    private static <T> T required(AnnotationReader reader, String name, AnnotationReader.Parser<T> parser,
                                  List<Diagnostic> diagnostics, String fallback) {
        String raw = reader.raw(name);
        if (raw == null) {
            try {
                return fallback == null ? null : parser.parse(fallback);
            } catch (Invalid e) {
                throw new IllegalStateException("the default " + fallback + " of " + name + " is unreadable", e);
            }
        }
        try {
            return parser.parse(raw.trim());
        } catch (Invalid e) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(name)), "value '" + raw + "' "
                    + e.getMessage() + "; the Ingress's paths answer 503 until it is fixed: a route that asks for"
                    + " external authentication is never served without it"));
            return null;
        }
    }

    /** An {@code http} or {@code https} URL with a host, which may hold variables. */
    static NginxTemplate url(String value) throws Invalid {
        if (!URL_CHARACTERS.matcher(value).matches()) {
            throw new Invalid("is not a URL (letters, digits, -._~/:,?&=% and $variables only)");
        }
        NginxTemplate template = template(value);
        String lower = value.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("http://")) {
            rest = value.substring("http://".length());
        } else if (lower.startsWith("https://")) {
            rest = value.substring("https://".length());
        } else {
            throw new Invalid("is not an http:// or https:// URL");
        }
        int end = rest.length();
        for (char c : new char[] {'/', '?'}) {
            int at = rest.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        String authority = rest.substring(0, end);
        if (authority.isEmpty() || authority.startsWith(":")) {
            throw new Invalid("has no host");
        }
        if (authority.contains("..")) {
            throw new Invalid("has an invalid host");
        }
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && !authority.substring(colon + 1).matches("\\d{1,5}|\\$.*")) {
            throw new Invalid("has an invalid port");
        }
        return template;
    }

    /**
     * {@code auth-signin}: a URL (with variables) to which ingress-nginx adds the original URL in the redirect
     * parameter, unless it already has that parameter.
     */
    static NginxTemplate signin(String value, String redirectParam) throws Invalid {
        NginxTemplate written = url(value);
        int query = value.indexOf('?');
        if (query >= 0) {
            for (String parameter : value.substring(query + 1).split("&")) {
                String name = parameter.contains("=") ? parameter.substring(0, parameter.indexOf('=')) : parameter;
                if (name.equals(redirectParam) && parameter.length() > name.length() + 1) {
                    return written;
                }
            }
        }
        List<Part> parts = new ArrayList<>(written.parts());
        parts.add(Part.literal((query >= 0 ? "&" : "?") + redirectParam + "="));
        parts.add(Part.variable("pass_access_scheme"));
        parts.add(Part.literal("://"));
        parts.add(Part.variable("http_host"));
        parts.add(Part.variable("escaped_request_uri"));
        return new NginxTemplate(parts);
    }

    static String method(String value) throws Invalid {
        if (!METHODS.contains(value)) {
            throw new Invalid("is not an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS or"
                    + " TRACE, in capitals)");
        }
        return value;
    }

    /** A comma-separated list of header names. */
    static List<String> headerNames(String value) throws Invalid {
        List<String> names = new ArrayList<>();
        for (String name : value.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!HEADER_NAME.matcher(trimmed).matches()) {
                throw new Invalid("is not a comma-separated list of header names ('" + trimmed + "' is not one)");
            }
            names.add(trimmed);
        }
        return names;
    }

    static String redirectParam(String value) throws Invalid {
        if (!NAME.matcher(value.replace("-", "").replace(".", "").replace("~", "")).matches()) {
            throw new Invalid("is not a URL parameter name");
        }
        return value;
    }

    static String plainUrl(String value) throws Invalid {
        if (!PLAIN_URL_CHARACTERS.matcher(value).matches()) {
            throw new Invalid("is not a URL without variables (letters, digits and -._~/:,?&=% only)");
        }
        return value;
    }

    static NginxTemplate cacheKey(String value) throws Invalid {
        if (!CACHE_KEY_CHARACTERS.matcher(value).matches()) {
            throw new Invalid("is not a cache key (letters, digits, - and _ and $variables only)");
        }
        return template(value);
    }

    /**
     * nginx's {@code proxy_cache_valid} lines, comma-separated: status codes (or {@code any}) then one duration;
     * a line without codes covers 200, 301 and 302, as in nginx.
     */
    static List<CacheRule> cacheRules(String value) throws Invalid {
        List<CacheRule> rules = new ArrayList<>();
        for (String line : value.split(",")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            rules.add(cacheRule(trimmed));
        }
        if (rules.isEmpty()) {
            throw new Invalid("holds no cache duration");
        }
        return rules;
    }

    private static CacheRule cacheRule(String line) throws Invalid {
        String[] words = line.split("\\s+");
        List<Integer> statuses = new ArrayList<>();
        boolean any = false;
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals("any")) {
                any = true;
            } else if (STATUS.matcher(words[i]).matches()) {
                statuses.add(Integer.parseInt(words[i]));
            } else {
                throw new Invalid("is not a list of status codes followed by a duration ('" + line + "')");
            }
        }
        Matcher duration = DURATION.matcher(words[words.length - 1]);
        if (!duration.matches()) {
            throw new Invalid("does not end in a duration such as 5m or 1h ('" + line + "')");
        }
        if (statuses.isEmpty() && !any) {
            statuses = List.of(200, 301, 302);
        }
        return new CacheRule(statuses, any, duration(Long.parseLong(duration.group(1)), duration.group(2)));
    }

    private static Duration duration(long amount, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            case "w" -> Duration.ofDays(7 * amount);
            case "M" -> Duration.ofDays(30 * amount);
            default -> Duration.ofDays(365 * amount);
        };
    }

    /** Splits a value into literal text and variables ({@code $name} or {@code ${name}}), each one known. */
    static NginxTemplate template(String value) throws Invalid {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c != '$') {
                if (c == '{' || c == '}') {
                    throw new Invalid("has a brace outside ${variable}");
                }
                literal.append(c);
                i++;
                continue;
            }
            String name;
            int next;
            if (i + 1 < value.length() && value.charAt(i + 1) == '{') {
                int close = value.indexOf('}', i + 2);
                if (close < 0) {
                    throw new Invalid("has an unclosed ${");
                }
                name = value.substring(i + 2, close);
                next = close + 1;
            } else {
                int end = i + 1;
                while (end < value.length() && isNameChar(value.charAt(end))) {
                    end++;
                }
                name = value.substring(i + 1, end);
                next = end;
            }
            if (!NAME.matcher(name).matches()) {
                throw new Invalid("has a $ that names no variable");
            }
            if (!VARIABLES.contains(name) && !VARIABLE_FAMILY.matcher(name).matches()) {
                throw new Invalid("uses $" + name + ", which the gateway does not know (known: "
                        + String.join(", ", VARIABLES.stream().sorted().toList())
                        + ", $http_<header>, $cookie_<name>, $arg_<name>)");
            }
            if (!literal.isEmpty()) {
                parts.add(Part.literal(literal.toString()));
                literal.setLength(0);
            }
            parts.add(Part.variable(name.toLowerCase(Locale.ROOT)));
            i = next;
        }
        if (!literal.isEmpty()) {
            parts.add(Part.literal(literal.toString()));
        }
        return new NginxTemplate(parts);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }
}
