package io.ingressgateway.pipeline;

import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;

/** One snapshot of the cluster and the route model translated from it. */
public record PipelineState(ClusterSnapshot snapshot, RouteModel model) {

    public static final PipelineState EMPTY = new PipelineState(ClusterSnapshot.EMPTY, RouteModel.EMPTY);
}
