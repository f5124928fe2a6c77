package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The TLS redirect family: {@code ssl-redirect} (opt out of the redirect a TLS host gets, with {@code "false"}) and
 * {@code force-ssl-redirect} (redirect even without TLS, with {@code "true"}), read under {@value #OUR_PREFIX} and,
 * for Ingresses written for ingress-nginx, {@value #NGINX_PREFIX}; ours wins. The data plane's
 * {@code HttpsRedirectFilter} applies the {@link TlsRedirectPolicy} to every route of the Ingress.
 */
public final class TlsRedirectAnnotations implements AnnotationFamily<TlsRedirectPolicy> {

    public static final String OUR_PREFIX = "ingress-gateway.io/";
    public static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";
    public static final String SSL_REDIRECT = "ssl-redirect";
    public static final String FORCE_SSL_REDIRECT = "force-ssl-redirect";

    private static final Set<String> ANNOTATIONS = Set.of(OUR_PREFIX + SSL_REDIRECT, NGINX_PREFIX + SSL_REDIRECT,
            OUR_PREFIX + FORCE_SSL_REDIRECT, NGINX_PREFIX + FORCE_SSL_REDIRECT);

    @Override
    public String name() {
        return "TLS redirect";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<TlsRedirectPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Boolean force = flag(annotations, FORCE_SSL_REDIRECT, diagnostics);
        Boolean redirect = flag(annotations, SSL_REDIRECT, diagnostics);
        TlsRedirectPolicy policy = new TlsRedirectPolicy(!Boolean.FALSE.equals(redirect), Boolean.TRUE.equals(force));
        return new Parsed<>(policy.equals(TlsRedirectPolicy.DEFAULTS) ? null : policy, diagnostics);
    }

    /** Our annotation, else ingress-nginx's; an unreadable value is a warning and counts as unset. */
    private static Boolean flag(Map<String, String> annotations, String name, List<Diagnostic> diagnostics) {
        for (String prefix : List.of(OUR_PREFIX, NGINX_PREFIX)) {
            String value = annotations.get(prefix + name);
            if (value == null) {
                continue;
            }
            String trimmed = value.trim().toLowerCase(Locale.ROOT);
            if (trimmed.equals("true") || trimmed.equals("false")) {
                return Boolean.valueOf(trimmed);
            }
            diagnostics.add(Diagnostic.warning("metadata.annotations['" + prefix + name + "']", "'" + value
                    + "' is not \"true\" or \"false\"; ignored"));
        }
        return null;
    }
}
