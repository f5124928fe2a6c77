package io.ingressgateway.translate;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.policy.ErrorPagePolicy;
import io.ingressgateway.model.policy.RoutePolicies;
import io.ingressgateway.model.policy.ServiceUpstreamPolicy;
import io.ingressgateway.translate.annotations.AnnotationReader;
import java.util.List;

/**
 * The annotations whose meaning depends on the cluster's Services, which a family cannot see: the Service a
 * {@code default-backend} annotation names becomes an upstream key in the Ingress's {@link ErrorPagePolicy} (so the
 * model resolves its endpoints although no rule names it), and {@code service-upstream} turns each backend into the
 * upstream of its Service's ClusterIP. A problem is a warning on the Ingress and that annotation then has no effect.
 */
final class AnnotatedBackends {

    private AnnotatedBackends() {
    }

    /** {@code policies} with the default backend's Service port resolved, when the Ingress names one. */
    static RoutePolicies resolveDefaultBackend(RoutePolicies policies, String namespace, BackendResolver backends,
                                               List<Diagnostic> diagnostics) {
        ErrorPagePolicy errorPages = policies.get(ErrorPagePolicy.class);
        if (errorPages == null || errorPages.defaultBackend() == null) {
            return policies;
        }
        BackendResolver.Resolution resolution = backends.firstPort(namespace, errorPages.defaultBackend());
        if (resolution.problem() != null) {
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(errorPages.defaultBackendAnnotation()),
                    resolution.problem() + "; the annotation has no effect (requests without an endpoint get 503,"
                            + " error pages come from the gateway's default backend if any)"));
            return policies;
        }
        UpstreamKey key = resolution.upstreamKey();
        return policies.with(errorPages.resolved(key.namespace(), key.port()));
    }

    /**
     * The upstream a backend's requests go to: its Service's ClusterIP when the Ingress asks for it and the Service
     * has one, else its endpoints ({@code key}, with a warning when the ClusterIP was asked for).
     */
    static UpstreamKey serviceAddress(UpstreamKey key, ServiceUpstreamPolicy serviceUpstream, BackendResolver backends,
                                      String field, List<Diagnostic> diagnostics) {
        if (serviceUpstream == null || key == null) {
            return key;
        }
        String problem = backends.serviceAddressProblem(key);
        if (problem != null) {
            diagnostics.add(Diagnostic.warning(field, problem + "; " + serviceUpstream.annotation()
                    + " ignored for this backend, requests go to the Service's endpoints"));
            return key;
        }
        UpstreamKey atAddress = key.atServiceAddress();
        backends.upstream(atAddress);
        return atAddress;
    }
}
