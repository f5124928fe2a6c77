package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.RoutePolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control-plane half of one Ingress feature: reads the annotations of one family (timeouts and guards, TLS
 * redirects, ...) of one Ingress into a typed, validated policy that every route of the Ingress carries to the data
 * plane, where the family's filter reads it. Pure: no I/O, no state, the same answer for the same annotations.
 *
 * <p>A family declares every annotation key it reads and is handed only those ({@link AnnotationFamilies}), so the
 * controller knows which annotations it understands. A value it cannot read becomes a warning naming the annotation;
 * that setting keeps its default, and nothing else is affected.
 *
 * @param <P> the family's policy
 */
public interface AnnotationFamily<P extends RoutePolicy> {

    /** What the family is about, in a few words, for diagnostics and docs ({@code "upstream guards"}). */
    String name();

    /** Every annotation key the family reads. */
    Set<String> annotations();

    /**
     * The policy the annotations ask for.
     *
     * @param annotations the Ingress's annotations among {@link #annotations()}, at least one of them, values as
     *                    written
     * @return the policy, null when it would be the defaults (nothing set, or nothing readable); and diagnostics
     */
    Parsed<P> parse(Map<String, String> annotations);

    /** A family's reading of one Ingress. */
    record Parsed<P extends RoutePolicy>(P policy, List<Diagnostic> diagnostics) {

        public Parsed {
            diagnostics = List.copyOf(diagnostics);
        }

        public static <P extends RoutePolicy> Parsed<P> nothing() {
            return new Parsed<>(null, List.of());
        }
    }
}
