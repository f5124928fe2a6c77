package io.ingressgateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.Diagnostic.Severity;
import io.ingressgateway.model.IngressRef;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.RouteModel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Ingress counts by diagnostic: each served Ingress once, at its most severe diagnostic. */
class RouteModelMetricsTest {

    @Test
    void countsEachServedIngressAtItsWorstDiagnosticAndNoUnservedOne() {
        RouteModel model = new RouteModel(List.of(), Map.of(), null, List.of(
                report("clean", true),
                report("warned", true, Diagnostic.warning("spec.rules[0]", "no such Service")),
                report("broken", true, Diagnostic.warning("spec.rules[0]", "no such Service"),
                        Diagnostic.error("spec", "Ingress could not be translated"),
                        Diagnostic.warning("spec.tls[0]", "no such Secret")),
                report("other-class", false, Diagnostic.error("spec", "not ours, not counted"))), 7);

        assertThat(RouteModelMetrics.servedIngressesWorstAt(model, Severity.ERROR)).isEqualTo(1);
        assertThat(RouteModelMetrics.servedIngressesWorstAt(model, Severity.WARNING)).isEqualTo(1);
        // The sum diagnostics gauge is unchanged: every diagnostic of every Ingress.
        assertThat(RouteModelMetrics.diagnostics(model)).isEqualTo(5);
    }

    private static IngressReport report(String name, boolean served, Diagnostic... diagnostics) {
        return new IngressReport(new IngressRef("apps", name), served, "class", List.of(diagnostics), List.of());
    }
}
