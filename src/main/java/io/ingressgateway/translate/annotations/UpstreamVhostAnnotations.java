package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.UpstreamVhostPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code upstream-vhost} annotation, as ingress-nginx reads it: the {@code Host} header the upstream receives
 * for every path of the Ingress (nginx's {@code proxy_set_header Host}). The value must be a host name, an IPv4
 * address or a bracketed IPv6 address, optionally with {@code :port}; anything else (a URL, blanks, an nginx
 * variable, which the gateway would not expand) is a warning and the client's Host is sent, as without it.
 */
public final class UpstreamVhostAnnotations implements AnnotationFamily<UpstreamVhostPolicy> {

    public static final String UPSTREAM_VHOST = "upstream-vhost";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(UPSTREAM_VHOST);

    private static final String LABEL = "[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?";
    private static final Pattern NAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*\\.?");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final int MAX_NAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    @Override
    public String name() {
        return "upstream virtual host";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<UpstreamVhostPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        String host = new AnnotationReader(annotations, diagnostics).read(UPSTREAM_VHOST,
                UpstreamVhostAnnotations::hostAndPort);
        return new Parsed<>(host == null ? null : new UpstreamVhostPolicy(host), diagnostics);
    }

    /** {@code host} or {@code host:port}, the host a DNS name or an IP address; returned as written. */
    static String hostAndPort(String value) throws AnnotationReader.Invalid {
        String lower = value.toLowerCase(Locale.ROOT);
        String host = lower;
        String port = null;
        int colon = lower.lastIndexOf(':');
        if (colon >= 0 && (lower.charAt(0) != '[' || colon > lower.indexOf(']'))) {
            host = lower.substring(0, colon);
            port = lower.substring(colon + 1);
        }
        if (port != null && (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535)) {
            throw new AnnotationReader.Invalid("does not end in a port from 1 to 65535");
        }
        boolean name = host.length() <= MAX_NAME_LENGTH && NAME.matcher(host).matches() && labelsFit(host);
        if (!name && !IPV6.matcher(host).matches()) {
            throw new AnnotationReader.Invalid("is not a host name or IP address with an optional port");
        }
        return value;
    }

    private static boolean labelsFit(String host) {
        for (String label : host.split("\\.")) {
            if (label.length() > MAX_LABEL_LENGTH) {
                return false;
            }
        }
        return true;
    }
}
