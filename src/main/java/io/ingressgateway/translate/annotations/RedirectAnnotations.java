package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RedirectPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The redirect family, as ingress-nginx reads it: {@code temporal-redirect} (status {@code temporal-redirect-code},
 * 302 by default) and {@code permanent-redirect} (status {@code permanent-redirect-code}, 301 by default) make every
 * request of the Ingress's paths a redirect to the annotation's URL, answered by the gateway. When both are set the
 * temporal one wins, as in ingress-nginx. A code must be 300 to 308 (ingress-nginx's range); the URL must be an
 * absolute http or https URL with a host. An unreadable value is a warning: a bad code keeps the default code, a bad
 * URL means no redirect from that annotation.
 *
 * <p>The URL is sent as written: ingress-nginx appends neither path nor query. It may not contain {@code $}: nginx
 * would expand a variable there ({@code $request_uri}), which the gateway does not do, and ingress-nginx's own
 * validation refuses such values since 1.9.
 */
public final class RedirectAnnotations implements AnnotationFamily<RedirectPolicy> {

    public static final String PERMANENT_REDIRECT = "permanent-redirect";
    public static final String PERMANENT_REDIRECT_CODE = "permanent-redirect-code";
    public static final String TEMPORAL_REDIRECT = "temporal-redirect";
    public static final String TEMPORAL_REDIRECT_CODE = "temporal-redirect-code";

    static final int DEFAULT_PERMANENT_CODE = 301;
    static final int DEFAULT_TEMPORAL_CODE = 302;
    private static final int MIN_CODE = 300;
    private static final int MAX_CODE = 308;
    /** Far above any real redirect target; keeps a pasted blob out of every response header. */
    private static final int MAX_URL_LENGTH = 2048;

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(PERMANENT_REDIRECT,
            PERMANENT_REDIRECT_CODE, TEMPORAL_REDIRECT, TEMPORAL_REDIRECT_CODE);

    @Override
    public String name() {
        return "redirect";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<RedirectPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        String temporal = reader.read(TEMPORAL_REDIRECT, RedirectAnnotations::url);
        Integer temporalCode = reader.read(TEMPORAL_REDIRECT_CODE, RedirectAnnotations::code);
        String permanent = reader.read(PERMANENT_REDIRECT, RedirectAnnotations::url);
        Integer permanentCode = reader.read(PERMANENT_REDIRECT_CODE, RedirectAnnotations::code);
        RedirectPolicy policy = null;
        if (temporal != null) {
            policy = new RedirectPolicy(temporalCode != null ? temporalCode : DEFAULT_TEMPORAL_CODE, temporal);
            if (permanent != null) {
                diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(PERMANENT_REDIRECT)),
                        "both a temporal and a permanent redirect are set; the temporal one applies, as in"
                                + " ingress-nginx"));
            }
        } else if (permanent != null) {
            policy = new RedirectPolicy(permanentCode != null ? permanentCode : DEFAULT_PERMANENT_CODE, permanent);
        }
        return new Parsed<>(policy, diagnostics);
    }

    /** A status code in ingress-nginx's range for these annotations. */
    static Integer code(String value) throws AnnotationReader.Invalid {
        return AnnotationReader.integer(value, MIN_CODE, MAX_CODE);
    }

    /** An absolute http or https URL with a host, as written. */
    static String url(String value) throws AnnotationReader.Invalid {
        if (value.isEmpty()) {
            throw new AnnotationReader.Invalid("is empty, not an http or https URL");
        }
        if (value.length() > MAX_URL_LENGTH) {
            throw new AnnotationReader.Invalid("is longer than " + MAX_URL_LENGTH + " characters");
        }
        if (value.indexOf('$') >= 0) {
            throw new AnnotationReader.Invalid("contains '$': nginx variables are not expanded by the gateway");
        }
        String lower = value.toLowerCase(Locale.ROOT);
        int authorityStart = lower.startsWith("https://") ? 8 : lower.startsWith("http://") ? 7 : -1;
        if (authorityStart < 0) {
            throw new AnnotationReader.Invalid("is not an absolute http or https URL");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            // Visible ASCII that RFC 3986 allows somewhere in a URL: anything else has no place in a Location header.
            if (c <= ' ' || c >= 0x7f || "\"<>\\^`{|}".indexOf(c) >= 0) {
                throw new AnnotationReader.Invalid("contains a character a URL cannot have at position " + i);
            }
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < value.length() && "/?#".indexOf(value.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = value.substring(authorityStart, authorityEnd);
        if (authority.isEmpty()) {
            throw new AnnotationReader.Invalid("has no host name");
        }
        try {
            UpstreamVhostAnnotations.hostAndPort(authority);
        } catch (AnnotationReader.Invalid e) {
            throw new AnnotationReader.Invalid("does not name a host (and optional port) after its scheme");
        }
        return value;
    }
}
