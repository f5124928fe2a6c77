package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.UpstreamTlsPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The upstream TLS family: {@code proxy-ssl-secret}, {@code proxy-ssl-verify}, {@code proxy-ssl-verify-depth},
 * {@code proxy-ssl-name}, {@code proxy-ssl-server-name} and {@code proxy-ssl-protocols}, read into an
 * {@link UpstreamTlsPolicy} for the routes whose {@code backend-protocol} is {@code HTTPS} or {@code GRPCS}.
 * {@code proxy-ssl-ciphers} (OpenSSL cipher strings) is not read: the JDK's cipher suites apply.
 *
 * <p>The Secret's content is not an annotation: the translator reads it from the cluster's Secrets into the policy
 * afterwards. Its name must be {@code namespace/name} in the Ingress's own namespace, as ingress-nginx requires. Where
 * ingress-nginx ignores every other {@code proxy-ssl-*} annotation of an Ingress without {@code proxy-ssl-secret},
 * here they apply without it; and {@code proxy-ssl-verify: on} with no usable CA fails the requests (502) instead of
 * leaving the upstream unverified. A {@code proxy-ssl-secret} value that cannot be read fails them too, as
 * ingress-nginx denies such a location.
 */
public final class ProxySslAnnotations implements AnnotationFamily<UpstreamTlsPolicy> {

    public static final String SECRET = "proxy-ssl-secret";
    public static final String VERIFY = "proxy-ssl-verify";
    public static final String VERIFY_DEPTH = "proxy-ssl-verify-depth";
    public static final String NAME = "proxy-ssl-name";
    public static final String SERVER_NAME = "proxy-ssl-server-name";
    public static final String PROTOCOLS = "proxy-ssl-protocols";

    /** Deeper chains than this are refused: a CA hierarchy is a few levels deep, never a hundred. */
    static final int MAX_VERIFY_DEPTH = 100;

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(SECRET, VERIFY, VERIFY_DEPTH,
            NAME, SERVER_NAME, PROTOCOLS);

    private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    private static final Pattern SECRET_NAME = Pattern.compile(LABEL + "/" + LABEL + "(\\." + LABEL + ")*");
    private static final Pattern DNS_NAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final Set<String> TLS_VERSIONS = Set.of("TLSv1.2", "TLSv1.3");

    @Override
    public String name() {
        return "upstream TLS";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<UpstreamTlsPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        UpstreamTlsPolicy defaults = UpstreamTlsPolicy.DEFAULTS;
        String secret = reader.read(SECRET, ProxySslAnnotations::secretName);
        boolean unreadableSecret = secret == null && reader.isSet(SECRET);
        Boolean verify = reader.read(VERIFY, ProxyBodyAnnotations::onOff);
        Integer depth = reader.read(VERIFY_DEPTH, value -> AnnotationReader.integer(value, 0, MAX_VERIFY_DEPTH));
        String name = reader.read(NAME, ProxySslAnnotations::serverName);
        Boolean serverName = reader.read(SERVER_NAME, ProxyBodyAnnotations::onOff);
        List<String> protocols = reader.read(PROTOCOLS, ProxySslAnnotations::tlsVersions);
        UpstreamTlsPolicy policy = new UpstreamTlsPolicy(secret,
                verify != null ? verify : defaults.verify(),
                name,
                serverName != null ? serverName : defaults.sendServerName(),
                // 0 is ingress-nginx's "not set".
                depth != null && depth > 0 ? depth : defaults.verifyDepth(),
                protocols, List.of(), null, null);
        if (unreadableSecret) {
            policy = policy.unusable(reader.keyOf(SECRET) + " cannot be read");
        } else if (policy.verify() && secret == null) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(VERIFY)), "verification is on but"
                    + " no " + SECRET + " names the CA to verify against; requests to this Ingress's HTTPS and GRPCS"
                    + " upstreams fail (502) rather than go unverified"));
        }
        return new Parsed<>(policy.equals(defaults) ? null : policy, diagnostics);
    }

    /** {@code namespace/name}, both DNS labels (the name a subdomain), as Kubernetes names them. */
    static String secretName(String value) throws Invalid {
        if (!SECRET_NAME.matcher(value).matches() || value.length() > 63 + 1 + 253) {
            throw new Invalid("is not a Secret as namespace/name");
        }
        return value;
    }

    /** A DNS name the upstream's certificate must be valid for, any case, returned in lower case. */
    static String serverName(String value) throws Invalid {
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
            throw new Invalid("is not a DNS name");
        }
        return lower;
    }

    /** One or more of {@code TLSv1.2} and {@code TLSv1.3}, separated by blanks, as nginx's proxy_ssl_protocols. */
    static List<String> tlsVersions(String value) throws Invalid {
        TreeSet<String> versions = new TreeSet<>();
        for (String token : value.trim().split("\\s+")) {
            if (!TLS_VERSIONS.contains(token)) {
                throw new Invalid("is not a list of TLSv1.2 and TLSv1.3");
            }
            versions.add(token);
        }
        return List.copyOf(versions);
    }
}
