package io.ingressgateway.ops;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.TlsCertificate;
import io.ingressgateway.model.TlsHost;
import io.ingressgateway.model.Upstream;
import io.ingressgateway.model.UpstreamKey;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.model.policy.CanaryPolicy;
import io.ingressgateway.model.policy.NextUpstream;
import io.ingressgateway.controller.ControllerPipeline;
import io.ingressgateway.resilience.GuardKey;
import io.ingressgateway.resilience.GuardPolicy;
import io.ingressgateway.resilience.UpstreamGuard;
import io.ingressgateway.resilience.UpstreamGuards;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/ingresses}: what the gateway made of every Ingress it sees, the answer to "why is my Ingress not
 * served?". {@code /actuator/ingresses/{namespace}/{name}} shows one (404 when unknown).
 *
 * <p>Any pod that reaches the management port reads it, so how much it tells is the operator's choice
 * ({@code ingress-gateway.ops.ingresses-detail}): in {@code summary} (the default) each Ingress, whether it is served
 * and why, its diagnostics (also published as Events on the Ingress), and the hosts and paths of its routes and TLS
 * hosts; {@code full} adds what a neighbour could use to map the cluster: each route's upstream Service, its ready
 * endpoint count and guard state, and each TLS host's Secret, certificate subject and expiry. Fields a level leaves
 * out are absent from the JSON, and {@code detail} says which level answered.
 */
@Endpoint(id = "ingresses")
public class IngressesEndpoint {

    /** How much the endpoint shows. */
    public enum Detail { SUMMARY, FULL }

    public record IngressesDescriptor(String source, long revision, boolean synced, String detail,
                                      List<IngressDescriptor> ingresses) {
    }

    public record IngressDescriptor(String namespace, String name, boolean served, String reason,
                                    List<DiagnosticDescriptor> diagnostics, List<RouteDescriptor> routes,
                                    List<TlsHostDescriptor> tls) {
    }

    /**
     * A TLS host this Ingress decides the certificate of.
     *
     * @param certificate what is served: {@code Secret namespace/name}, or {@code default certificate}
     * @param reason      why the default certificate is served instead of the Secret; null when it is not
     * @param notAfter    expiry of the Secret's certificate (ISO-8601); null when the default certificate is served
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TlsHostDescriptor(String host, String secret, String certificate, String subject, String notAfter,
                                    String reason) {
    }

    public record DiagnosticDescriptor(String severity, String field, String message) {
    }

    /**
     * @param host           the host pattern; {@code *} for any host
     * @param upstream       {@code namespace/service:port}; absent in summary
     * @param readyEndpoints how many endpoints the upstream has (0 answers 503); absent in summary
     * @param guard          the upstream's guards as this Ingress uses it; absent when none exists (yet) and in summary
     * @param canary         the route's canary; absent when it has none, and in summary
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RouteDescriptor(String id, String host, String pathType, String path, String upstream,
                                  Integer readyEndpoints, GuardDescriptor guard, CanaryDescriptor canary) {
    }

    /**
     * @param ingress        the canary Ingress, {@code namespace/name}
     * @param upstream       its backend, {@code namespace/service:port}
     * @param readyEndpoints how many endpoints that backend has
     */
    public record CanaryDescriptor(String ingress, String upstream, int readyEndpoints) {
    }

    /**
     * @param policy        the effective policy: the Ingress's annotations over the configured defaults
     * @param circuitState  {@code CLOSED}, {@code OPEN} or {@code HALF_OPEN}
     * @param inFlight      requests in flight now
     * @param limit         the bulkhead's cap on them
     * @param failureRate   percent of failed calls in the circuit's window; -1 until it has enough calls
     * @param slowCallRate  percent of slow calls in the circuit's window; -1 until it has enough calls
     */
    public record GuardDescriptor(PolicyDescriptor policy, String circuitState, int inFlight, int limit,
                                  float failureRate, float slowCallRate) {
    }

    /** A {@link GuardPolicy} as operators write it: durations like {@code 5s} or {@code 500ms}. */
    public record PolicyDescriptor(String connectTimeout, String readTimeout, int maxConcurrentRequests, int retries,
                                   float failureRateThreshold, String slowCallDurationThreshold,
                                   float slowCallRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
                                   String waitDurationInOpenState, int permittedCallsInHalfOpenState,
                                   String sendTimeout, String nextUpstream, String nextUpstreamTimeout) {

        static PolicyDescriptor of(GuardPolicy policy) {
            return new PolicyDescriptor(format(policy.connectTimeout()), format(policy.readTimeout()),
                    policy.maxConcurrentRequests(), policy.retries(), policy.failureRateThreshold(),
                    format(policy.slowCallDurationThreshold()), policy.slowCallRateThreshold(),
                    policy.slidingWindowSize(), policy.minimumNumberOfCalls(),
                    format(policy.waitDurationInOpenState()), policy.permittedCallsInHalfOpenState(),
                    format(policy.sendTimeout()), nextUpstream(policy.nextUpstream()),
                    policy.nextUpstreamTimeout() == null ? null : format(policy.nextUpstreamTimeout()));
        }

        /** The retry conditions as ingress-nginx's {@code proxy-next-upstream} writes them. */
        static String nextUpstream(NextUpstream conditions) {
            StringJoiner words = new StringJoiner(" ");
            if (conditions.error()) {
                words.add("error");
            }
            if (conditions.timeout()) {
                words.add("timeout");
            }
            if (conditions.invalidHeader()) {
                words.add("invalid_header");
            }
            new TreeSet<>(conditions.statuses()).forEach(status -> words.add("http_" + status));
            if (conditions.nonIdempotent()) {
                words.add("non_idempotent");
            }
            return words.length() == 0 ? "off" : words.toString();
        }

        private static String format(Duration duration) {
            long millis = duration.toMillis();
            return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }
    }

    private final ControllerPipeline pipeline;
    private final UpstreamGuards guards;
    private final Detail detail;

    public IngressesEndpoint(ControllerPipeline pipeline, UpstreamGuards guards, Detail detail) {
        this.pipeline = pipeline;
        this.guards = guards;
        this.detail = detail;
    }

    @ReadOperation
    public IngressesDescriptor ingresses() {
        RouteModel model = pipeline.current().model();
        Map<String, Route> routes = routesById(model);
        List<IngressDescriptor> ingresses = model.ingresses().stream()
                .map(report -> describe(report, routes, model))
                .toList();
        return new IngressesDescriptor(pipeline.sourceDescription(), model.revision(), pipeline.synced(),
                detail.name().toLowerCase(java.util.Locale.ROOT), ingresses);
    }

    /** One Ingress; null (answered as 404) when the gateway has not seen it. */
    @ReadOperation
    public IngressDescriptor ingress(@Selector String namespace, @Selector String name) {
        RouteModel model = pipeline.current().model();
        IngressRef ref = new IngressRef(namespace, name);
        return model.ingresses().stream()
                .filter(report -> report.ingress().equals(ref))
                .findFirst()
                .map(report -> describe(report, routesById(model), model))
                .orElse(null);
    }

    private IngressDescriptor describe(IngressReport report, Map<String, Route> routes, RouteModel model) {
        List<DiagnosticDescriptor> diagnostics = report.diagnostics().stream()
                .map(IngressesEndpoint::describe)
                .toList();
        List<RouteDescriptor> produced = report.routeIds().stream()
                .map(routes::get)
                .filter(Objects::nonNull)
                .map(route -> detail == Detail.FULL
                        ? describe(route, model.upstreams().get(route.upstreamKey()), guards == null ? null
                                : describe(guards, new GuardKey(route.ingress(), route.upstreamKey())),
                                describeCanary(route, model))
                        : summarise(route))
                .toList();
        List<TlsHostDescriptor> tls = model.tls().hosts().stream()
                .filter(host -> host.ingress().equals(report.ingress()))
                .map(host -> detail == Detail.FULL ? describe(host) : summarise(host))
                .toList();
        return new IngressDescriptor(report.ingress().namespace(), report.ingress().name(), report.served(),
                report.reason(), diagnostics, produced, tls);
    }

    private static TlsHostDescriptor describe(TlsHost host) {
        TlsCertificate certificate = host.certificate();
        if (certificate == null) {
            return new TlsHostDescriptor(host.host().toString(), host.secret(), "default certificate", null, null,
                    host.fallbackReason());
        }
        return new TlsHostDescriptor(host.host().toString(), host.secret(), "Secret " + host.secret(),
                certificate.subject(), certificate.notAfter().toString(), null);
    }

    /** Whether a TLS host has a certificate of its own, without naming its Secret. */
    private static TlsHostDescriptor summarise(TlsHost host) {
        return new TlsHostDescriptor(host.host().toString(), null,
                host.certificate() == null ? "default certificate" : "Secret", null, null, null);
    }

    private static RouteDescriptor summarise(Route route) {
        return new RouteDescriptor(route.id(), route.host().toString(), route.path().type().name(),
                route.path().path(), null, null, null, null);
    }

    private static DiagnosticDescriptor describe(Diagnostic diagnostic) {
        return new DiagnosticDescriptor(diagnostic.severity().name(), diagnostic.field(), diagnostic.message());
    }

    private static RouteDescriptor describe(Route route, Upstream upstream, GuardDescriptor guard,
                                            CanaryDescriptor canary) {
        return new RouteDescriptor(route.id(), route.host().toString(), route.path().type().name(),
                route.path().path(), route.upstreamKey().toString(), upstream == null ? 0 : upstream.endpoints().size(),
                guard, canary);
    }

    private static CanaryDescriptor describeCanary(Route route, RouteModel model) {
        CanaryPolicy canary = route.policies().get(CanaryPolicy.class);
        if (canary == null) {
            return null;
        }
        UpstreamKey key = new UpstreamKey(canary.namespace(), canary.service(), canary.port());
        Upstream upstream = model.upstreams().get(key);
        return new CanaryDescriptor(new IngressRef(canary.namespace(), canary.ingress()).toString(), key.toString(),
                upstream == null ? 0 : upstream.endpoints().size());
    }

    /**
     * The guard of a route as it stands, without making it: a guard no request has needed yet is a closed circuit
     * with nothing in flight and no rates (-1, as Resilience4j reports too few calls).
     */
    private static GuardDescriptor describe(UpstreamGuards guards, GuardKey key) {
        UpstreamGuard guard = guards.existingGuard(key);
        if (guard != null) {
            return describe(guard);
        }
        GuardPolicy policy = guards.policy(key);
        return policy == null ? null : new GuardDescriptor(PolicyDescriptor.of(policy), "CLOSED", 0,
                policy.maxConcurrentRequests(), -1f, -1f);
    }

    private static GuardDescriptor describe(UpstreamGuard guard) {
        return new GuardDescriptor(PolicyDescriptor.of(guard.policy()), guard.circuitState().name(), guard.inFlight(),
                guard.policy().maxConcurrentRequests(), guard.failureRate(), guard.slowCallRate());
    }

    private static Map<String, Route> routesById(RouteModel model) {
        Map<String, Route> routes = new HashMap<>();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            for (Route route : virtualHost.routes()) {
                routes.put(route.id(), route);
            }
        }
        return routes;
    }
}
