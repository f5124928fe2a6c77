package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.BackendProtocolPolicy;
import io.ingressgateway.model.policy.BackendProtocolPolicy.Protocol;
import io.ingressgateway.translate.annotations.AnnotationReader.Invalid;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code backend-protocol} annotation, as ingress-nginx reads it (any case): {@code HTTP} (the default),
 * {@code HTTPS} (HTTP/1.1 over TLS), {@code GRPC} (HTTP/2 in cleartext, prior knowledge) or {@code GRPCS} (HTTP/2
 * over TLS). ingress-nginx's {@code AUTO_HTTP} and {@code FCGI} are not served, and any other value is not a protocol:
 * each is a warning naming the value, and the upstream is spoken to in HTTP, as ingress-nginx does with a value it
 * refuses. How TLS upstreams are verified is the {@code proxy-ssl-*} family's ({@link ProxySslAnnotations}).
 */
public final class BackendProtocolAnnotations implements AnnotationFamily<BackendProtocolPolicy> {

    public static final String BACKEND_PROTOCOL = "backend-protocol";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(BACKEND_PROTOCOL);

    @Override
    public String name() {
        return "backend protocol";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<BackendProtocolPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        Protocol protocol = new AnnotationReader(annotations, diagnostics).read(BACKEND_PROTOCOL,
                BackendProtocolAnnotations::protocol);
        boolean plain = protocol == null || protocol == Protocol.HTTP;
        return new Parsed<>(plain ? null : new BackendProtocolPolicy(protocol), diagnostics);
    }

    static Protocol protocol(String value) throws Invalid {
        String upper = value.toUpperCase(Locale.ROOT);
        return switch (upper) {
            case "HTTP" -> Protocol.HTTP;
            case "HTTPS" -> Protocol.HTTPS;
            case "GRPC" -> Protocol.GRPC;
            case "GRPCS" -> Protocol.GRPCS;
            case "AUTO_HTTP", "FCGI" -> throw new Invalid("is an ingress-nginx protocol this gateway does not support"
                    + " (it speaks HTTP, HTTPS, GRPC or GRPCS to upstreams)");
            default -> throw new Invalid("is not one of HTTP, HTTPS, GRPC or GRPCS");
        };
    }
}
