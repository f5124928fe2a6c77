package io.ingressgateway.pipeline;

/**
 * The one order in which the pipeline hands each new model to its listeners, one listener per stage. Listeners run
 * one after the other on the pipeline's thread; the order decides what a request arriving in between sees.
 */
public enum ListenerStage {

    /** Upstream guards first: a route is never served before the guard it needs can be had. */
    UPSTREAM_GUARDS,
    /** Certificates before routes: a new TLS host's first handshake finds its certificate. */
    TLS_CERTIFICATES,
    /** The expiry gauges read the certificates just selected. */
    CERTIFICATE_METRICS,
    /** The gateway's routes: from here requests reach the model's upstreams. */
    GATEWAY_ROUTES,
    /** Status once the Ingresses are served: an Ingress's address is written when it answers. */
    INGRESS_STATUS,
    /**
     * Redirects last: they gate no route, so working them out never delays serving a change. In between, a new route
     * that must redirect answers over plain HTTP for as long as this takes (a fraction of a millisecond to a few).
     */
    TLS_REDIRECTS
}
