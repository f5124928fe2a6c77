package io.ingressgateway.pipeline;

/**
 * A consumer of the pipeline's output: the data plane, the status writer. Called on the pipeline's thread, once per
 * new model, never concurrently; implementations hand slow work (API calls) to their own threads.
 */
@FunctionalInterface
public interface RouteModelListener {

    void onModel(PipelineState state);
}
