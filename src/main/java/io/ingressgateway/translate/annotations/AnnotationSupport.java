package io.ingressgateway.translate.annotations;

/**
 * How the gateway treats one annotation key under {@value AnnotationReader#NGINX_PREFIX} or
 * {@value AnnotationReader#OUR_PREFIX}. Every class but {@link #SERVED} is a warning on the Ingress carrying the key.
 */
public enum AnnotationSupport {

    /** Some annotation family reads it: the gateway does what ingress-nginx documents (or what our key says). */
    SERVED("served"),
    /** Accepted, and nothing a client or upstream could observe would differ if it were applied. */
    NO_EFFECT("no effect"),
    /** A piece of nginx configuration: never evaluated, whatever it says. */
    REFUSED_FOR_SECURITY("refused for security"),
    /** ingress-nginx documents it; the gateway does not do it (yet): requests are served as if it were absent. */
    UNSUPPORTED("unsupported"),
    /** Neither ingress-nginx nor the gateway knows the key: both ignore it. */
    UNKNOWN("unknown");

    private final String label;

    AnnotationSupport(String label) {
        this.label = label;
    }

    /** How diagnostics, the compatibility table and the migration check spell the class. */
    public String label() {
        return label;
    }
}
