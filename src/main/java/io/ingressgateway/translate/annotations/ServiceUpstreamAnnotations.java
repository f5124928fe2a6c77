package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ServiceUpstreamPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code service-upstream} annotation, as ingress-nginx reads it: {@code "true"} sends the Ingress's requests to
 * each backend Service's ClusterIP and port instead of its endpoints. The translator applies it when resolving the
 * backends (a Service without a ClusterIP is a warning there, and its endpoints are used).
 */
public final class ServiceUpstreamAnnotations implements AnnotationFamily<ServiceUpstreamPolicy> {

    public static final String SERVICE_UPSTREAM = "service-upstream";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(SERVICE_UPSTREAM);

    @Override
    public String name() {
        return "service upstream";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<ServiceUpstreamPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        Boolean enabled = reader.flag(SERVICE_UPSTREAM);
        return new Parsed<>(Boolean.TRUE.equals(enabled)
                ? new ServiceUpstreamPolicy(reader.keyOf(SERVICE_UPSTREAM)) : null, diagnostics);
    }
}
