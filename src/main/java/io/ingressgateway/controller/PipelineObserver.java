package io.ingressgateway.controller;

import io.ingressgateway.pipeline.ListenerStage;

/**
 * What the pipeline tells of each snapshot it runs, for metrics: how long translation and each listener took, and
 * whether the model was applied everywhere. Called on the pipeline's thread, one snapshot at a time, so an
 * implementation needs no locking of its own; it must be quick, as the next snapshot waits for it.
 */
public interface PipelineObserver {

    /** Observes nothing: the pipeline of a test that does not look at metrics. */
    PipelineObserver NONE = new PipelineObserver() {
        @Override
        public void translated(long nanos) {
        }

        @Override
        public void stageApplied(ListenerStage stage, long nanos) {
        }

        @Override
        public void applied(boolean succeeded) {
        }
    };

    /**
     * The translator ran on a snapshot, or threw. After a failure no listener is called and {@link #applied} follows
     * with {@code false}: the previous model keeps serving.
     */
    void translated(long nanos);

    /** One listener took the new model, or threw while taking it (then {@link #applied} says {@code false}). */
    void stageApplied(ListenerStage stage, long nanos);

    /** The snapshot is done with: applied by every listener, or not (translation or some listener failed). */
    void applied(boolean succeeded);
}
