package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.HeaderPolicy;
import io.ingressgateway.model.policy.HeaderPolicy.Action;
import io.ingressgateway.model.policy.HeaderPolicy.HeaderOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header policy family, the gateway's own (no ingress-nginx spelling): what snippets' {@code proxy_set_header},
 * {@code more_set_headers} and {@code add_header} lines were used for, without evaluating anything.
 *
 * <ul>
 *   <li>{@code ingress-gateway.io/request-headers} and {@code ingress-gateway.io/response-headers}: one operation a
 *       line, applied in order: {@code set Name: value} (replaces every value), {@code add Name: value} (one more
 *       value), {@code remove Name}. Blank lines and lines starting with {@code #} are skipped. Names are RFC 9110
 *       tokens; values are visible ASCII with inner blanks, sent exactly as written (no variables). Framing and
 *       hop-by-hop headers ({@code Host}, {@code Content-Length}, {@code Transfer-Encoding}, {@code Connection}, ...)
 *       are refused: they belong to the connection, not to the route.</li>
 *   <li>{@code ingress-gateway.io/security-headers}: {@code standard} or {@code strict}, a preset of response headers
 *       each set only when the upstream's response lacks it.</li>
 *   <li>{@code ingress-gateway.io/content-security-policy}: a {@code Content-Security-Policy} value, replacing the
 *       upstream's.</li>
 * </ul>
 *
 * <p>A line or value that cannot be read is a warning naming it, and only it is ignored.
 */
public final class HeaderPolicyAnnotations implements AnnotationFamily<HeaderPolicy> {

    public static final String REQUEST_HEADERS = AnnotationReader.OUR_PREFIX + "request-headers";
    public static final String RESPONSE_HEADERS = AnnotationReader.OUR_PREFIX + "response-headers";
    public static final String SECURITY_HEADERS = AnnotationReader.OUR_PREFIX + "security-headers";
    public static final String CONTENT_SECURITY_POLICY = AnnotationReader.OUR_PREFIX + "content-security-policy";

    private static final Set<String> ANNOTATIONS = Set.of(REQUEST_HEADERS, RESPONSE_HEADERS, SECURITY_HEADERS,
            CONTENT_SECURITY_POLICY);

    /**
     * Headers that describe the message's framing or the connection it travels on: a route may not change them
     * (RFC 9110 7.6.1's connection options, {@code Host}, and the body's framing).
     */
    static final Set<String> REFUSED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "proxy-connection", "te", "trailer", "upgrade");

    /** The presets of {@code security-headers}. */
    enum Preset {
        /** Framing by the same site only, no MIME sniffing, the origin only as referrer across origins. */
        STANDARD("SAMEORIGIN", "strict-origin-when-cross-origin"),
        /** No framing at all and no referrer. */
        STRICT("DENY", "no-referrer");

        private final String frameOptions;
        private final String referrerPolicy;

        Preset(String frameOptions, String referrerPolicy) {
            this.frameOptions = frameOptions;
            this.referrerPolicy = referrerPolicy;
        }

        List<HeaderOperation> headers() {
            return List.of(new HeaderOperation(Action.DEFAULT, "X-Frame-Options", frameOptions),
                    new HeaderOperation(Action.DEFAULT, "X-Content-Type-Options", "nosniff"),
                    new HeaderOperation(Action.DEFAULT, "Referrer-Policy", referrerPolicy));
        }
    }

    @Override
    public String name() {
        return "header policy";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<HeaderPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        List<HeaderOperation> request = operations(reader, REQUEST_HEADERS, annotations.get(REQUEST_HEADERS));
        List<HeaderOperation> response = new ArrayList<>();
        String preset = annotations.get(SECURITY_HEADERS);
        if (preset != null) {
            try {
                response.addAll(preset(preset.trim()).headers());
            } catch (AnnotationReader.Invalid e) {
                reader.warn(SECURITY_HEADERS, preset, e.getMessage(), "no security headers are added");
            }
        }
        String csp = annotations.get(CONTENT_SECURITY_POLICY);
        if (csp != null) {
            try {
                response.add(new HeaderOperation(Action.SET, "Content-Security-Policy", value(csp.trim())));
            } catch (AnnotationReader.Invalid e) {
                reader.warn(CONTENT_SECURITY_POLICY, csp, e.getMessage(), "no Content-Security-Policy is added");
            }
        }
        response.addAll(operations(reader, RESPONSE_HEADERS, annotations.get(RESPONSE_HEADERS)));
        if (request.isEmpty() && response.isEmpty()) {
            return new Parsed<>(null, diagnostics);
        }
        return new Parsed<>(new HeaderPolicy(request, response), diagnostics);
    }

    static Preset preset(String value) throws AnnotationReader.Invalid {
        for (Preset preset : Preset.values()) {
            if (preset.name().equalsIgnoreCase(value)) {
                return preset;
            }
        }
        throw new AnnotationReader.Invalid("is not a preset (\"standard\" or \"strict\")");
    }

    /** The operations of a {@code request-headers} or {@code response-headers} value; each bad line a warning. */
    private static List<HeaderOperation> operations(AnnotationReader reader, String key, String value) {
        if (value == null) {
            return List.of();
        }
        List<HeaderOperation> operations = new ArrayList<>();
        String[] lines = value.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                operations.add(operation(line));
            } catch (AnnotationReader.Invalid e) {
                reader.warn(key, line, "(line " + (i + 1) + ") " + e.getMessage(), "the other lines apply");
            }
        }
        return operations;
    }

    /** One line: {@code set Name: value}, {@code add Name: value} or {@code remove Name}. */
    static HeaderOperation operation(String line) throws AnnotationReader.Invalid {
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
        String rest = space < 0 ? "" : line.substring(space + 1).strip();
        switch (verb) {
            case "remove" -> {
                return new HeaderOperation(Action.REMOVE, name(rest), null);
            }
            case "set", "add" -> {
                int colon = rest.indexOf(':');
                if (colon < 0) {
                    throw new AnnotationReader.Invalid("has no ':' between the header's name and its value");
                }
                return new HeaderOperation(verb.equals("set") ? Action.SET : Action.ADD,
                        name(rest.substring(0, colon)), value(rest.substring(colon + 1).strip()));
            }
            default -> throw new AnnotationReader.Invalid("does not start with \"set\", \"add\" or \"remove\"");
        }
    }

    /** A header name a route may change: an RFC 9110 token, not a framing or hop-by-hop header. */
    static String name(String name) throws AnnotationReader.Invalid {
        if (name.isEmpty()) {
            throw new AnnotationReader.Invalid("names no header");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new AnnotationReader.Invalid("has a header name that is not a token (RFC 9110): '" + name + "'");
            }
        }
        if (REFUSED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new AnnotationReader.Invalid("changes " + name + ", which belongs to the connection or the message's"
                    + " framing, not to the route");
        }
        return name;
    }

    /** A header value as written: visible ASCII, blanks only inside, not empty. */
    static String value(String value) throws AnnotationReader.Invalid {
        if (value.isEmpty()) {
            throw new AnnotationReader.Invalid("has an empty header value (use \"remove\" to drop a header)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(c >= 0x21 && c <= 0x7e || c == ' ' || c == '\t')) {
                throw new AnnotationReader.Invalid("has a character that may not appear in a header value (visible"
                        + " ASCII and inner blanks only) at position " + (i + 1));
            }
        }
        return value;
    }

    private static boolean isTokenChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
