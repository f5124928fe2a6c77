package io.ingressgateway.pipeline;

/**
 * A consumer of the pipeline's output: the data plane, the status writer. Called on the pipeline's thread, once per
 * new model, never concurrently, in the order of the listeners' {@link #stage()}s; implementations hand slow work (API
 * calls) to their own threads.
 *
 * <p>The models a listener receives keep every unchanged part (virtual host, report, upstream, TLS model) as the very
 * same instance as in the model before, so a listener finds what changed by comparing references
 * ({@link io.ingressgateway.model.IdentityDiff}), in proportion to the change.
 */
public interface RouteModelListener {

    /** Where this listener runs among all listeners; no two listeners share a stage. */
    ListenerStage stage();

    void onModel(PipelineState state);
}
