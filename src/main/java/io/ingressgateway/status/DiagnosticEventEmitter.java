package io.ingressgateway.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the translator's diagnostics visible where users look ({@code kubectl describe ingress}): one Warning Event
 * per served Ingress each time its set of diagnostics changes to a non-empty one. The same diagnostics are not
 * reported twice; an Ingress whose problems were fixed and come back is reported again. Not thread-safe: used from
 * the status writer's thread only.
 */
final class DiagnosticEventEmitter {

    static final String REASON = "IngressDiagnostics";
    static final String COMPONENT = "ingress-gateway";
    /** Kubernetes rejects longer Event messages from newer API versions; keep the legacy ones readable too. */
    static final int MAX_MESSAGE_LENGTH = 1024;

    private static final Logger log = LoggerFactory.getLogger(DiagnosticEventEmitter.class);

    /** What was last reported for an Ingress; the uid tells a recreated Ingress from the old one. */
    private record Reported(String uid, Set<Diagnostic> diagnostics) {
    }

    private final KubernetesClient client;
    private final String instance;
    private final Map<IngressRef, Reported> reported = new HashMap<>();
    private long lastNameStamp;

    DiagnosticEventEmitter(KubernetesClient client, String instance) {
        this.client = client;
        this.instance = instance;
    }

    /**
     * Emits Events for the Ingresses whose diagnostics changed since last reported.
     *
     * @return false when an Event could not be written (worth another pass later)
     */
    boolean emit(List<IngressReport> reports, Map<IngressRef, Ingress> ingresses, BooleanSupplier leading) {
        boolean complete = true;
        Set<IngressRef> seen = new HashSet<>();
        for (IngressReport report : reports) {
            seen.add(report.ingress());
            if (!report.served() || report.diagnostics().isEmpty()) {
                reported.remove(report.ingress());
                continue;
            }
            Ingress ingress = ingresses.get(report.ingress());
            String uid = ingress == null ? null : ingress.getMetadata().getUid();
            Set<Diagnostic> diagnostics = Set.copyOf(report.diagnostics());
            Reported previous = reported.get(report.ingress());
            if (previous != null && previous.diagnostics().equals(diagnostics)
                    && Objects.equals(previous.uid(), uid)) {
                continue;
            }
            if (!leading.getAsBoolean()) {
                // The next leader reports it; this replica does too, should it lead again.
                return complete;
            }
            try {
                client.v1().events().inNamespace(report.ingress().namespace())
                        .resource(event(report, ingress)).create();
                reported.put(report.ingress(), new Reported(uid, diagnostics));
            } catch (KubernetesClientException e) {
                log.warn("Could not record diagnostics of Ingress {} as an Event ({}); retrying later",
                        report.ingress(), e.getMessage());
                complete = false;
            }
        }
        reported.keySet().retainAll(seen);
        return complete;
    }

    private Event event(IngressReport report, Ingress ingress) {
        IngressRef ref = report.ingress();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        return new EventBuilder()
                .withNewMetadata()
                    .withNamespace(ref.namespace())
                    .withName(eventName(ref.name()))
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion("networking.k8s.io/v1")
                    .withKind("Ingress")
                    .withNamespace(ref.namespace())
                    .withName(ref.name())
                    .withUid(ingress == null ? null : ingress.getMetadata().getUid())
                    .withResourceVersion(ingress == null ? null : ingress.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType("Warning")
                .withReason(REASON)
                .withMessage(message(report.diagnostics()))
                .withNewSource().withComponent(COMPONENT).withHost(instance).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(instance)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
    }

    static String message(List<Diagnostic> diagnostics) {
        String text = diagnostics.size() + (diagnostics.size() == 1 ? " problem: " : " problems: ")
                + diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("; "));
        return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 3) + "...";
    }

    /** As client-go names Events: the object's name and a hex timestamp, unique per emitter. */
    private String eventName(String ingressName) {
        long stamp = Math.max(System.currentTimeMillis() * 1_000_000L, lastNameStamp + 1);
        lastNameStamp = stamp;
        String suffix = "." + Long.toHexString(stamp);
        String prefix = ingressName.length() + suffix.length() > 253
                ? ingressName.substring(0, 253 - suffix.length())
                : ingressName;
        return prefix + suffix;
    }
}
