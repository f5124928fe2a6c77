package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BasicAuthPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The basic auth family: {@code auth-type}, {@code auth-secret}, {@code auth-secret-type} and {@code auth-realm}, read
 * into a {@link BasicAuthPolicy}. The Secret's users are not annotations: the translator reads them afterwards
 * ({@code BasicAuthSecrets}), from the Ingress's own namespace only.
 *
 * <p>As in ingress-nginx, nothing applies without {@code auth-type} (a lone {@code auth-secret} is a warning), and
 * everything that keeps authentication from being set up denies the route (503) instead of serving it unauthenticated:
 * {@code auth-type: basic} without a readable {@code auth-secret}, an unknown {@code auth-type} or
 * {@code auth-secret-type}, and {@code auth-type: digest}, which the gateway does not implement.
 */
public final class BasicAuthAnnotations implements AnnotationFamily<BasicAuthPolicy> {

    public static final String TYPE = "auth-type";
    public static final String SECRET = "auth-secret";
    public static final String SECRET_TYPE = "auth-secret-type";
    public static final String REALM = "auth-realm";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(TYPE, SECRET, SECRET_TYPE, REALM);

    private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
    /** {@code name} or {@code namespace/name}: a namespace is a DNS label, a Secret's name a DNS subdomain. */
    private static final Pattern SECRET_REFERENCE = Pattern.compile("(" + LABEL + "/)?" + LABEL + "(\\." + LABEL
            + ")*");
    /** Printable ASCII (and blanks) only: the realm goes between the quotes of a response header. */
    private static final Pattern REALM_TEXT = Pattern.compile("[\\x20-\\x7e]{0,256}");

    @Override
    public String name() {
        return "basic auth";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<BasicAuthPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        if (!reader.isSet(TYPE)) {
            if (reader.isSet(SECRET)) {
                diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(SECRET)), "is set without "
                        + TYPE + "; no authentication applies (as in ingress-nginx): set " + TYPE + ": basic"));
            }
            return new Parsed<>(null, diagnostics);
        }
        String realm = reader.read(REALM, BasicAuthAnnotations::realm);
        String secret = reader.read(SECRET, BasicAuthAnnotations::secretReference);
        Boolean mapFormat = reader.read(SECRET_TYPE, BasicAuthAnnotations::mapFormat);
        BasicAuthPolicy policy = new BasicAuthPolicy(realm, secret, mapFormat != null && mapFormat, Map.of(), null,
                null);
        String type = reader.raw(TYPE).trim().toLowerCase(Locale.ROOT);
        String problem = null;
        if (type.equals("digest")) {
            problem = TYPE + " digest is not supported (only basic)";
        } else if (!type.equals("basic")) {
            problem = TYPE + " '" + reader.raw(TYPE) + "' is neither basic nor digest";
        } else if (secret == null) {
            problem = reader.isSet(SECRET) ? SECRET + " cannot be read" : TYPE + " basic is set without " + SECRET;
        } else if (mapFormat == null && reader.isSet(SECRET_TYPE)) {
            problem = SECRET_TYPE + " cannot be read";
        }
        if (problem == null) {
            return new Parsed<>(policy, diagnostics);
        }
        diagnostics.add(Diagnostic.warning(AnnotationReader.field(reader.keyOf(TYPE)), problem
                + "; every request of this Ingress is refused (503) rather than served without authentication"));
        return new Parsed<>(policy.unusable(problem), diagnostics);
    }

    /** {@code name} or {@code namespace/name} (resolved against the Ingress's namespace by the translator). */
    static String secretReference(String value) throws Invalid {
        if (value.length() > 63 + 1 + 253 || !SECRET_REFERENCE.matcher(value).matches()) {
            throw new Invalid("is not a name or namespace/name");
        }
        return value;
    }

    /** {@code auth-file} (false) or {@code auth-map} (true). */
    static Boolean mapFormat(String value) throws Invalid {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "auth-file" -> false;
            case "auth-map" -> true;
            default -> throw new Invalid("is not auth-file or auth-map");
        };
    }

    /** Printable ASCII, at most 256 characters; quotes and backslashes are escaped when the header is written. */
    static String realm(String value) throws Invalid {
        if (!REALM_TEXT.matcher(value).matches()) {
            throw new Invalid("is not printable ASCII text of at most 256 characters");
        }
        return value;
    }
}
