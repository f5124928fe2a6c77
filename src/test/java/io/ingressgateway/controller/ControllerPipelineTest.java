package io.ingressgateway.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ingressgateway.pipeline.ListenerStage;
import io.ingressgateway.pipeline.PipelineState;
import io.ingressgateway.pipeline.RouteModelListener;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.source.ManifestDirectorySource;
import io.ingressgateway.translate.IngressTranslator;
import io.ingressgateway.translate.TranslatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline hands each model to its listeners in the order of their stages, whatever order they come in. */
class ControllerPipelineTest {

    private static final TranslatorSettings SETTINGS = new TranslatorSettings("gw", "ingress-gateway.io/controller",
            "");

    record Recording(ListenerStage stage, List<ListenerStage> calls) implements RouteModelListener {

        @Override
        public void onModel(PipelineState state) {
            calls.add(stage);
        }
    }

    @Test
    void listenersRunInTheOrderOfTheirStages(@TempDir Path manifests) {
        List<ListenerStage> calls = new CopyOnWriteArrayList<>();
        List<RouteModelListener> given = List.of(
                new Recording(ListenerStage.TLS_REDIRECTS, calls),
                new Recording(ListenerStage.GATEWAY_ROUTES, calls),
                new Recording(ListenerStage.UPSTREAM_GUARDS, calls),
                new Recording(ListenerStage.INGRESS_STATUS, calls));
        try (ControllerPipeline pipeline = new ControllerPipeline(new ManifestDirectorySource(manifests),
                new IngressTranslator(SETTINGS), given)) {
            assertThat(pipeline.listeners()).extracting(RouteModelListener::stage).containsExactly(
                    ListenerStage.UPSTREAM_GUARDS, ListenerStage.GATEWAY_ROUTES, ListenerStage.INGRESS_STATUS,
                    ListenerStage.TLS_REDIRECTS);

            pipeline.start();

            await().atMost(Duration.ofSeconds(30)).until(pipeline::synced);
            assertThat(calls).containsExactly(ListenerStage.UPSTREAM_GUARDS, ListenerStage.GATEWAY_ROUTES,
                    ListenerStage.INGRESS_STATUS, ListenerStage.TLS_REDIRECTS);
        }
    }

    @Test
    void twoListenersClaimingOneStageAreRefused(@TempDir Path manifests) {
        List<RouteModelListener> given = List.of(new Recording(ListenerStage.GATEWAY_ROUTES, List.of()),
                new Recording(ListenerStage.GATEWAY_ROUTES, List.of()));

        assertThatThrownBy(() -> new ControllerPipeline(new ManifestDirectorySource(manifests),
                new IngressTranslator(SETTINGS), given))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GATEWAY_ROUTES");
    }

    /** Records what the pipeline reports, one line per call. */
    record RecordingObserver(List<String> calls) implements PipelineObserver {

        @Override
        public void translated(long nanos) {
            calls.add(nanos >= 0 ? "translated" : "negative time");
        }

        @Override
        public void stageApplied(ListenerStage stage, long nanos) {
            calls.add(nanos >= 0 ? stage.name() : "negative time");
        }

        @Override
        public void applied(boolean succeeded) {
            calls.add(succeeded ? "applied" : "failed");
        }
    }

    @Test
    void theObserverSeesTranslationEachStageAndWhetherEveryStageTookTheModel(@TempDir Path manifests) {
        AtomicBoolean guardsFail = new AtomicBoolean(true);
        RouteModelListener guards = new RouteModelListener() {
            @Override
            public ListenerStage stage() {
                return ListenerStage.UPSTREAM_GUARDS;
            }

            @Override
            public void onModel(PipelineState state) {
                if (guardsFail.get()) {
                    throw new IllegalStateException("a listener's bug");
                }
            }
        };
        List<String> calls = new CopyOnWriteArrayList<>();
        try (ControllerPipeline pipeline = new ControllerPipeline(new ManifestDirectorySource(manifests),
                new IngressTranslator(SETTINGS),
                List.of(new Recording(ListenerStage.GATEWAY_ROUTES, new CopyOnWriteArrayList<>()), guards),
                new RecordingObserver(calls))) {

            pipeline.accept(snapshot(1));
            // A failing listener does not stop the others, and the snapshot counts as not applied.
            assertThat(calls).containsExactly("translated", "UPSTREAM_GUARDS", "GATEWAY_ROUTES", "failed");
            assertThat(pipeline.current().model().revision()).isEqualTo(1);

            calls.clear();
            guardsFail.set(false);
            pipeline.accept(snapshot(2));
            assertThat(calls).containsExactly("translated", "UPSTREAM_GUARDS", "GATEWAY_ROUTES", "applied");
        }
    }

    private static ClusterSnapshot snapshot(long revision) {
        return new ClusterSnapshot(List.of(), List.of(), List.of(), List.of(), List.of(), revision);
    }
}
