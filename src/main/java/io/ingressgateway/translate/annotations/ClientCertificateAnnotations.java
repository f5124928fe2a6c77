package io.ingressgateway.translate.annotations;

import com.google.re2j.PatternSyntaxException;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ClientCertificatePolicy;
import io.ingressgateway.model.policy.ClientCertificatePolicy.Verify;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The client certificate family: {@code auth-tls-secret}, {@code auth-tls-verify-client},
 * {@code auth-tls-verify-depth}, {@code auth-tls-error-page}, {@code auth-tls-pass-certificate-to-upstream} and
 * {@code auth-tls-match-cn}, read into a {@link ClientCertificatePolicy}. Nothing applies without
 * {@code auth-tls-secret}, as in ingress-nginx; the Secret's {@code ca.crt} is read by the translator afterwards.
 *
 * <p>Fails closed where a wrong value would otherwise open the host: an {@code auth-tls-secret},
 * {@code auth-tls-error-page} or {@code auth-tls-match-cn} that cannot be read makes the host answer 403 (ingress-nginx
 * drops the whole family for such an Ingress, serving the host without client certificates). An unreadable
 * {@code auth-tls-verify-client} is {@code on}, its default and the strictest; an unreadable depth is 1.
 */
public final class ClientCertificateAnnotations implements AnnotationFamily<ClientCertificatePolicy> {

    public static final String SECRET = "auth-tls-secret";
    public static final String VERIFY_CLIENT = "auth-tls-verify-client";
    public static final String VERIFY_DEPTH = "auth-tls-verify-depth";
    public static final String ERROR_PAGE = "auth-tls-error-page";
    public static final String PASS_CERTIFICATE = "auth-tls-pass-certificate-to-upstream";
    public static final String MATCH_CN = "auth-tls-match-cn";

    /** Deeper chains than this are refused: a CA hierarchy is a few levels deep, never a hundred. */
    static final int MAX_VERIFY_DEPTH = 100;

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(SECRET, VERIFY_CLIENT, VERIFY_DEPTH,
            ERROR_PAGE, PASS_CERTIFICATE, MATCH_CN);

    private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    /** {@code name} (the Ingress's namespace) or {@code namespace/name}. */
    private static final Pattern SECRET_NAME = Pattern.compile("(" + LABEL + "/)?" + LABEL + "(\\." + LABEL + ")*");
    /**
     * ingress-nginx's accepted error pages: an optional {@code http(s)://host[:port]} then a path of plain segments.
     * Its nginx named locations ({@code @name}) have no meaning here.
     */
    private static final Pattern ERROR_PAGE_URL = Pattern.compile(
            "((https?://)?[A-Za-z0-9\\-.]+(:\\d{1,5})?)?(/[A-Za-z0-9\\-_.]+)*/?");

    @Override
    public String name() {
        return "client certificates";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<ClientCertificatePolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        if (!reader.isSet(SECRET)) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(AnnotationReader.NGINX_PREFIX + SECRET),
                    "the auth-tls-* annotations of this Ingress have no effect without " + SECRET
                            + " (the CA certificates to verify clients against)"));
            return new Parsed<>(null, diagnostics);
        }
        Verify verify = reader.read(VERIFY_CLIENT, ClientCertificateAnnotations::verify);
        Integer depth = reader.read(VERIFY_DEPTH, value -> AnnotationReader.integer(value, 0, MAX_VERIFY_DEPTH));
        Boolean pass = reader.flag(PASS_CERTIFICATE);
        List<String> problems = new ArrayList<>();
        String secret = failClosed(reader, SECRET, ClientCertificateAnnotations::secretName, problems, diagnostics);
        String errorPage = failClosed(reader, ERROR_PAGE, ClientCertificateAnnotations::errorPage, problems, diagnostics);
        String matchCn = failClosed(reader, MATCH_CN, ClientCertificateAnnotations::matchCn, problems, diagnostics);
        ClientCertificatePolicy policy = new ClientCertificatePolicy(secret,
                verify != null ? verify : Verify.ON,
                // 0 is ingress-nginx's "not set".
                depth != null && depth > 0 ? depth : ClientCertificatePolicy.DEFAULT_VERIFY_DEPTH,
                errorPage, Boolean.TRUE.equals(pass), matchCn, List.of(), null);
        if (!problems.isEmpty()) {
            policy = policy.unusable(String.join("; ", problems));
        }
        return new Parsed<>(policy, diagnostics);
    }

    /**
     * The value of an annotation that must not be ignored when unreadable: null when unset; when unreadable, null
     * with a problem added and a warning saying the host is refused.
     */
    private static String failClosed(AnnotationReader reader, String name, AnnotationReader.Parser<String> parser,
                                     List<String> problems, List<Diagnostic> diagnostics) {
        String raw = reader.raw(name);
        if (raw == null) {
            return null;
        }
        try {
            return parser.parse(raw.trim());
        } catch (Invalid e) {
            String key = reader.keyOf(name);
            problems.add(key + " cannot be read");
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), "value '" + raw + "' "
                    + e.getMessage() + "; every request to this Ingress's hosts is refused (403) rather than served"
                    + " without the client certificate check it asks for"));
            return null;
        }
    }

    static Verify verify(String value) throws Invalid {
        Verify verify = Verify.of(value);
        if (verify == null) {
            throw new Invalid("is not one of on, off, optional, optional_no_ca");
        }
        return verify;
    }

    /** {@code name} or {@code namespace/name}, as Kubernetes names them. */
    static String secretName(String value) throws Invalid {
        if (value.length() > 63 + 1 + 253 || !SECRET_NAME.matcher(value).matches()) {
            throw new Invalid("is not a Secret as name or namespace/name");
        }
        return value;
    }

    static String errorPage(String value) throws Invalid {
        if (value.isEmpty() || value.length() > 2048 || !ERROR_PAGE_URL.matcher(value).matches()) {
            throw new Invalid("is not a URL or path of plain segments");
        }
        return value;
    }

    /** {@code CN=} and a regular expression RE2 compiles (linear time: it is matched on every request). */
    static String matchCn(String value) throws Invalid {
        if (!value.startsWith("CN=")) {
            throw new Invalid("does not start with CN=");
        }
        try {
            com.google.re2j.Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new Invalid("is not a regular expression RE2 accepts (" + e.getDescription() + ")");
        }
        return value;
    }
}
