package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.TlsRedirectPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TLS redirect family: {@code ssl-redirect} (opt out of the redirect a TLS host gets, with {@code "false"}) and
 * {@code force-ssl-redirect} (redirect even without TLS, with {@code "true"}), read under {@value #OUR_PREFIX} and,
 * for Ingresses written for ingress-nginx, {@value #NGINX_PREFIX}; ours wins. The data plane's
 * {@code HttpsRedirectFilter} applies the {@link TlsRedirectPolicy} to every route of the Ingress.
 */
public final class TlsRedirectAnnotations implements AnnotationFamily<TlsRedirectPolicy> {

    public static final String OUR_PREFIX = AnnotationReader.OUR_PREFIX;
    public static final String NGINX_PREFIX = AnnotationReader.NGINX_PREFIX;
    public static final String SSL_REDIRECT = "ssl-redirect";
    public static final String FORCE_SSL_REDIRECT = "force-ssl-redirect";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(SSL_REDIRECT, FORCE_SSL_REDIRECT);

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
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        Boolean force = reader.flag(FORCE_SSL_REDIRECT);
        Boolean redirect = reader.flag(SSL_REDIRECT);
        TlsRedirectPolicy policy = new TlsRedirectPolicy(!Boolean.FALSE.equals(redirect), Boolean.TRUE.equals(force));
        return new Parsed<>(policy.equals(TlsRedirectPolicy.DEFAULTS) ? null : policy, diagnostics);
    }
}
