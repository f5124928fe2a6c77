package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationSupport.NO_EFFECT;
import static io.ingressgateway.translate.annotations.AnnotationSupport.REFUSED_FOR_SECURITY;
import static io.ingressgateway.translate.annotations.AnnotationSupport.UNSUPPORTED;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every annotation ingress-nginx knows, by its short name ({@code rewrite-target}), with what the gateway does when
 * no annotation family reads it: {@link AnnotationSupport#NO_EFFECT} (and why), {@link
 * AnnotationSupport#REFUSED_FOR_SECURITY}, or {@link AnnotationSupport#UNSUPPORTED} (and what happens instead).
 *
 * <p>Whether a key is served is not written here: it is served when a family of {@link AnnotationFamilies} declares
 * it, so a family added later makes its keys served without this class changing ({@link AnnotationFamilies#status}).
 * The notes here are what applies until then.
 *
 * <p>The list is ingress-nginx {@value #RELEASE}'s annotations reference
 * ({@code docs/user-guide/nginx-configuration/annotations.md}: its table and the keys its sections name), plus the
 * few keys that release's annotation parsers read although the reference does not list them ({@link
 * Entry#documented()} false). Keys ingress-nginx removed in earlier releases are in {@link #RETIRED}: ingress-nginx
 * ignores them as it ignores any key it does not know.
 */
public final class NginxAnnotationCatalog {

    /** The ingress-nginx release the catalogue was taken from: its last. */
    public static final String RELEASE = "controller-v1.15.1";

    /**
     * One ingress-nginx annotation.
     *
     * @param name       the short name, without prefix
     * @param unserved   what it is here while no family reads it
     * @param note       for {@code NO_EFFECT} why nothing observable changes; otherwise what the gateway does instead
     * @param documented whether ingress-nginx's annotations reference lists it (false: only its parsers read it)
     */
    public record Entry(String name, AnnotationSupport unserved, String note, boolean documented) {
    }

    private static final String SNIPPET = "a snippet of nginx configuration is never evaluated, whatever it says;"
            + " nothing of it applies";
    /**
     * What replaces a location or server snippet's common uses, named in its diagnostic: most snippets in the wild
     * add response headers, set upstream request headers or pass identity headers from an auth subrequest.
     */
    static final String SNIPPET_REPLACEMENTS = " For its common uses, first-class annotations apply instead:"
            + " more_set_headers / add_header -> ingress-gateway.io/response-headers (set, add, remove, one a line)"
            + " or ingress-gateway.io/security-headers (standard or strict) and"
            + " ingress-gateway.io/content-security-policy; CORS headers -> enable-cors and cors-*;"
            + " proxy_set_header / more_set_input_headers -> ingress-gateway.io/request-headers;"
            + " auth_request_set -> auth-response-headers of external auth (auth-url)";
    private static final String NO_AUTH = "requests are served without this authentication";
    private static final String AUTH_KEEPALIVE = "the gateway always keeps connections to auth services alive, in a"
            + " bounded pool of its own (ingress-gateway.external-auth.max-connections)";
    private static final String NO_CLIENT_CERT = "no client certificate is requested or checked";
    private static final String NO_RATE_LIMIT = "no rate limit applies";
    private static final String NO_CORS = "no CORS headers are added; preflight requests go to the upstream";
    private static final String NO_CANARY = "the Ingress is served as an ordinary one, not as a canary of another:"
            + " where its host and paths are already claimed, the older Ingress keeps them";
    private static final String NO_AFFINITY = "no session affinity: requests are balanced round robin";
    private static final String NO_UPSTREAM_TLS = "the upstream is reached in plain HTTP";
    private static final String NO_WAF = "requests are not inspected by a web application firewall";
    private static final String NO_MIRROR = "no request is mirrored";
    private static final String NO_TRACING = "no per-Ingress tracing";
    private static final String LISTENER_TLS = "the HTTPS listener's own TLS settings apply to every host";

    private static final Map<String, Entry> ENTRIES = new TreeMap<>();

    static {
        // Snippets: refused whatever the release, and every other "-snippet" key with them (isSnippet).
        refusedWithReplacements("configuration-snippet");
        refusedWithReplacements("server-snippet");
        refused("auth-snippet");
        refused("modsecurity-snippet");
        refused("stream-snippet");

        // Rewrites and regex.
        unsupported("app-root", "requests for / are not redirected to the application root");
        unsupported("rewrite-target", "the upstream receives the request path unchanged");
        unsupported("use-regex", "paths are matched as their pathType says, never as regular expressions");
        unsupported("x-forwarded-prefix", "no X-Forwarded-Prefix header is sent to the upstream");
        noEffect("enable-rewrite-log", "it only turns on nginx's rewrite log, which the gateway does not have");

        // Redirects and hosts.
        unsupported("permanent-redirect", "requests are proxied to the backend, not redirected");
        unsupported("permanent-redirect-code", "requests are proxied to the backend, not redirected");
        unsupported("temporal-redirect", "requests are proxied to the backend, not redirected");
        unsupported("temporal-redirect-code", "requests are proxied to the backend, not redirected");
        unsupported("from-to-www-redirect", "the www. (or bare) twin of a host is not redirected");
        unsupported("preserve-trailing-slash", "the HTTPS redirect keeps the path as requested");
        unsupported("server-alias", "only the hosts of the Ingress's rules are served");
        unsupported("upstream-vhost", "the upstream receives the client's Host header");
        unsupportedUndocumented("use-port-in-redirects", "redirects the gateway makes use its own port rules");
        unsupportedUndocumented("relative-redirects", "redirects the gateway makes carry absolute URLs");

        // Bodies, buffers and timeouts.
        unsupported("proxy-body-size", "the gateway's own request body limit applies");
        noEffect("client-body-buffer-size", "it sizes nginx's in-memory body buffer before a temporary file;"
                + " the gateway never spills request bodies to disk");
        unsupported("proxy-send-timeout", "the gateway's send timeout applies");
        unsupported("proxy-next-upstream", "the gateway's own retry rules apply (connection failures only)");
        unsupported("proxy-next-upstream-timeout", "the gateway's own retry rules apply");
        unsupported("proxy-next-upstream-tries", "the gateway's own retry count applies");
        unsupported("proxy-request-buffering", "request bodies are streamed to the upstream");
        noEffect("proxy-buffering", "responses are streamed to the client as they arrive either way; nginx's"
                + " response buffering changes nothing a client receives");
        noEffect("proxy-buffer-size", "it sizes nginx's response buffers, which the gateway does not have");
        noEffect("proxy-buffers-number", "it counts nginx's response buffers, which the gateway does not have");
        noEffect("proxy-busy-buffers-size", "it sizes nginx's response buffers, which the gateway does not have");
        noEffect("proxy-max-temp-file-size", "it limits nginx's temporary files; the gateway streams responses"
                + " and writes none");
        noEffect("proxy-http-version", "the upstream is always spoken to in HTTP/1.1, ingress-nginx's default; 1.0 is not"
                + " offered");
        unsupported("connection-proxy-header", "the gateway sets the upstream's Connection header itself");
        unsupported("proxy-cookie-domain", "Set-Cookie headers reach the client unchanged");
        unsupported("proxy-cookie-path", "Set-Cookie headers reach the client unchanged");
        unsupported("proxy-redirect-from", "Location and Refresh headers reach the client unchanged");
        unsupported("proxy-redirect-to", "Location and Refresh headers reach the client unchanged");

        // Upstreams.
        unsupported("backend-protocol", "the upstream is spoken to in plain HTTP/1.1");
        unsupported("proxy-ssl-secret", NO_UPSTREAM_TLS);
        unsupported("proxy-ssl-verify", NO_UPSTREAM_TLS);
        unsupported("proxy-ssl-verify-depth", NO_UPSTREAM_TLS);
        unsupported("proxy-ssl-name", NO_UPSTREAM_TLS);
        unsupported("proxy-ssl-server-name", NO_UPSTREAM_TLS);
        unsupported("proxy-ssl-ciphers", "the JDK's default cipher suites apply to upstream TLS (OpenSSL cipher"
                + " strings are not translated)");
        unsupported("proxy-ssl-protocols", NO_UPSTREAM_TLS);
        unsupported("service-upstream", "requests go to the Service's ready endpoints, not its ClusterIP");
        unsupported("custom-http-errors", "the upstream's error responses reach the client as they are");
        unsupported("default-backend", "the Ingress's spec.defaultBackend and the gateway's default apply");
        unsupportedUndocumented("disable-proxy-intercept-errors", "the upstream's error responses reach the client"
                + " as they are");
        unsupportedUndocumented("fastcgi-index", "FastCGI upstreams are not supported");
        unsupportedUndocumented("fastcgi-params-configmap", "FastCGI upstreams are not supported");
        unsupported("custom-headers", "no headers from a ConfigMap are added to responses");

        // Load balancing and affinity.
        unsupported("load-balance", "requests are balanced round robin over the ready endpoints");
        unsupported("upstream-hash-by", "requests are balanced round robin, not by a hash");
        unsupported("upstream-hash-by-subset", "requests are balanced round robin, not by a hash");
        unsupported("upstream-hash-by-subset-size", "hashing onto a subset is not supported: with upstream-hash-by,"
                + " each key is hashed onto one endpoint");
        unsupported("affinity", NO_AFFINITY);
        unsupported("affinity-mode", NO_AFFINITY);
        unsupported("affinity-canary-behavior", NO_AFFINITY);
        unsupported("session-cookie-name", NO_AFFINITY);
        unsupported("session-cookie-path", NO_AFFINITY);
        unsupported("session-cookie-domain", NO_AFFINITY);
        unsupported("session-cookie-expires", NO_AFFINITY);
        unsupported("session-cookie-max-age", NO_AFFINITY);
        unsupported("session-cookie-samesite", NO_AFFINITY);
        unsupported("session-cookie-conditional-samesite-none", NO_AFFINITY);
        unsupported("session-cookie-secure", NO_AFFINITY);
        unsupported("session-cookie-change-on-failure", NO_AFFINITY);

        // Canary.
        unsupported("canary", NO_CANARY);
        unsupported("canary-by-header", NO_CANARY);
        unsupported("canary-by-header-value", NO_CANARY);
        unsupported("canary-by-header-pattern", NO_CANARY);
        unsupported("canary-by-cookie", NO_CANARY);
        unsupported("canary-weight", NO_CANARY);
        unsupported("canary-weight-total", NO_CANARY);

        // Authentication and access control.
        unsupported("auth-type", NO_AUTH);
        unsupported("auth-secret", NO_AUTH);
        unsupported("auth-secret-type", NO_AUTH);
        unsupported("auth-realm", NO_AUTH);
        unsupported("auth-url", NO_AUTH);
        unsupported("auth-method", NO_AUTH);
        unsupported("auth-signin", NO_AUTH);
        unsupported("auth-signin-redirect-param", NO_AUTH);
        unsupported("auth-response-headers", NO_AUTH);
        unsupported("auth-request-redirect", NO_AUTH);
        unsupported("auth-cache-key", NO_AUTH);
        unsupported("auth-cache-duration", NO_AUTH);
        noEffect("auth-keepalive", AUTH_KEEPALIVE);
        noEffect("auth-keepalive-share-vars", "the auth request shares no nginx variables; the client's"
                + " X-Request-ID, when sent, reaches the auth service and the upstream alike");
        noEffect("auth-keepalive-requests", AUTH_KEEPALIVE);
        noEffect("auth-keepalive-timeout", AUTH_KEEPALIVE);
        unsupported("auth-proxy-set-headers", NO_AUTH);
        unsupported("auth-always-set-cookie", NO_AUTH);
        noEffect("enable-global-auth", "the gateway has no global external authentication to opt out of");
        unsupported("satisfy", NO_AUTH);
        unsupported("auth-tls-secret", NO_CLIENT_CERT);
        unsupported("auth-tls-verify-depth", NO_CLIENT_CERT);
        unsupported("auth-tls-verify-client", NO_CLIENT_CERT);
        unsupported("auth-tls-error-page", NO_CLIENT_CERT);
        unsupported("auth-tls-pass-certificate-to-upstream", NO_CLIENT_CERT);
        unsupported("auth-tls-match-cn", NO_CLIENT_CERT);
        unsupported("whitelist-source-range", "requests from every client address are served");
        unsupported("denylist-source-range", "requests from every client address are served");
        unsupportedUndocumented("allowlist-source-range", "requests from every client address are served");

        // Rate limits.
        unsupported("limit-connections", NO_RATE_LIMIT);
        unsupported("limit-rps", NO_RATE_LIMIT);
        unsupported("limit-rpm", NO_RATE_LIMIT);
        unsupported("limit-burst-multiplier", NO_RATE_LIMIT);
        unsupported("limit-rate", "responses are sent at the speed the client reads them");
        unsupported("limit-rate-after", "responses are sent at the speed the client reads them");
        unsupported("limit-whitelist", NO_RATE_LIMIT);
        unsupportedUndocumented("limit-allowlist", NO_RATE_LIMIT);

        // CORS.
        unsupported("enable-cors", NO_CORS);
        unsupported("cors-allow-origin", NO_CORS);
        unsupported("cors-allow-methods", NO_CORS);
        unsupported("cors-allow-headers", NO_CORS);
        unsupported("cors-expose-headers", NO_CORS);
        unsupported("cors-allow-credentials", NO_CORS);
        unsupported("cors-max-age", NO_CORS);

        // TLS on the listener.
        unsupported("ssl-passthrough", "TLS is terminated at the gateway; the upstream receives plain HTTP");
        unsupported("ssl-ciphers", LISTENER_TLS);
        unsupported("ssl-prefer-server-ciphers", LISTENER_TLS);
        noEffect("http2-push-preload", "HTTP/2 server push is gone from browsers, and from ingress-nginx's own"
                + " code in this release");

        // Logs, tracing, firewall, mirroring.
        unsupported("enable-access-log", "the gateway's access logging applies to every Ingress alike");
        unsupported("enable-opentelemetry", NO_TRACING);
        unsupported("opentelemetry-trust-incoming-span", NO_TRACING);
        unsupportedUndocumented("opentelemetry-operation-name", NO_TRACING);
        unsupported("enable-modsecurity", NO_WAF);
        unsupported("enable-owasp-core-rules", NO_WAF);
        unsupported("modsecurity-transaction-id", NO_WAF);
        unsupported("mirror-request-body", NO_MIRROR);
        unsupported("mirror-target", NO_MIRROR);
        unsupported("mirror-host", NO_MIRROR);

        // Served today by the standard families; their notes say what would apply without them.
        unsupported("ssl-redirect", "TLS hosts are redirected to HTTPS as by default");
        unsupported("force-ssl-redirect", "hosts without TLS are not redirected to HTTPS");
        unsupported("proxy-connect-timeout", "the gateway's connect timeout applies");
        unsupported("proxy-read-timeout", "the gateway's read timeout applies");
    }

    private static final String GLOBAL_RATE_LIMIT_RETIRED = "removed in ingress-nginx 1.12 with its memcached store;"
            + " the gateway serves it again, counting in Redis (ingress-gateway.global-rate-limit.redis.url)";

    /**
     * Keys ingress-nginx removed before {@value #RELEASE}, with what replaced them: it ignores them now, as it ignores
     * any key it does not know, and so does the gateway. Worth naming because old Ingresses still carry them.
     */
    public static final Map<String, String> RETIRED = Map.ofEntries(
            Map.entry("secure-backends", "removed in ingress-nginx 0.21; backend-protocol: HTTPS replaced it"),
            Map.entry("grpc-backend", "removed in ingress-nginx 0.21; backend-protocol: GRPC replaced it"),
            Map.entry("add-base-url", "removed in ingress-nginx 0.22"),
            Map.entry("base-url-scheme", "removed in ingress-nginx 0.22"),
            Map.entry("session-cookie-hash", "removed in ingress-nginx 0.24"),
            Map.entry("enable-opentracing", "removed from ingress-nginx; enable-opentelemetry replaced it"),
            Map.entry("opentracing-trust-incoming-span", "removed from ingress-nginx;"
                    + " opentelemetry-trust-incoming-span replaced it"),
            Map.entry("lua-resty-waf", "removed in ingress-nginx 0.27"),
            Map.entry("global-rate-limit", GLOBAL_RATE_LIMIT_RETIRED),
            Map.entry("global-rate-limit-window", GLOBAL_RATE_LIMIT_RETIRED),
            Map.entry("global-rate-limit-key", GLOBAL_RATE_LIMIT_RETIRED),
            Map.entry("global-rate-limit-ignored-cidrs", GLOBAL_RATE_LIMIT_RETIRED));

    private NginxAnnotationCatalog() {
    }

    /** The entry for a short name, or null when ingress-nginx {@value #RELEASE} does not know it. */
    public static Entry entry(String name) {
        return ENTRIES.get(name);
    }

    /** Every entry, by name. */
    public static Collection<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    /** Every entry whose key ingress-nginx's annotations reference lists, by name. */
    public static List<Entry> documented() {
        List<Entry> documented = new ArrayList<>();
        for (Entry entry : ENTRIES.values()) {
            if (entry.documented()) {
                documented.add(entry);
            }
        }
        documented.sort(Comparator.comparing(Entry::name));
        return documented;
    }

    /**
     * Whether a short name is a snippet of nginx configuration: the five ingress-nginx documents, and any other key
     * spelled like one (ingress-nginx has had more, and forks add their own). Never handed to a family.
     */
    public static boolean isSnippet(String name) {
        return name.endsWith("-snippet") || name.equals("snippet");
    }

    private static void refused(String name) {
        add(new Entry(name, REFUSED_FOR_SECURITY, SNIPPET, true));
    }

    private static void refusedWithReplacements(String name) {
        add(new Entry(name, REFUSED_FOR_SECURITY, SNIPPET + "." + SNIPPET_REPLACEMENTS, true));
    }

    private static void noEffect(String name, String why) {
        add(new Entry(name, NO_EFFECT, why, true));
    }

    private static void unsupported(String name, String instead) {
        add(new Entry(name, UNSUPPORTED, instead, true));
    }

    private static void unsupportedUndocumented(String name, String instead) {
        add(new Entry(name, UNSUPPORTED, instead, false));
    }

    private static void add(Entry entry) {
        if (ENTRIES.put(entry.name(), entry) != null) {
            throw new IllegalStateException("annotation " + entry.name() + " catalogued twice");
        }
    }
}
