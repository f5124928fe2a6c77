package io.ingressgateway.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;

/**
 * Coverage-guided fuzzing of the translator (docs/testing.md): any cluster, however broken, translates without an
 * exception into a model that is consistent ({@link ModelInvariants}), where what is wrong with an Ingress is a
 * diagnostic on its report; and translating a sequence of changes incrementally gives what a fresh translator gives
 * for each snapshot.
 *
 * <p>Without {@code JAZZER_FUZZ} the committed inputs ({@code TranslatorFuzzTestInputs/} under test resources) are
 * replayed as regression tests; {@code ./mvnw verify} fuzzes for a bounded time in a JVM of its own (pom.xml).
 */
class TranslatorFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyClusterTranslatesIntoAConsistentModel(FuzzedDataProvider data) {
        FuzzedCluster cluster = new FuzzedCluster(data);
        TranslatorSettings settings = cluster.settings();
        cluster.populate();
        IngressTranslator incremental = new IngressTranslator(settings);
        long revision = 1;
        ClusterSnapshot snapshot = cluster.snapshot(revision);
        RouteModel model = incremental.translate(snapshot);
        ModelInvariants.check(model, snapshot);
        assertEquals(model, new IngressTranslator(settings).translate(snapshot), "same snapshot, same model");

        for (int step = 0; step < 6 && cluster.hasMoreInput(); step++) {
            cluster.change();
            snapshot = cluster.snapshot(++revision);
            RouteModel fresh = new IngressTranslator(settings).translate(snapshot);
            ModelInvariants.check(fresh, snapshot);
            assertEquals(fresh, incremental.translate(snapshot), "incremental translation after change " + step);
        }
    }
}
