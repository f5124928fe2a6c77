package io.ingressgateway.model.policy;

/**
 * Whether HTTP requests of a route go to HTTPS, as an Ingress's {@code ssl-redirect} and {@code force-ssl-redirect}
 * annotations ask (the TLS redirect family), with ingress-nginx's meaning: a route redirects when it forces it, or
 * when its host has TLS and it does not opt out.
 *
 * @param sslRedirect      redirect when the route's host has TLS ({@code ssl-redirect}, true unless set false)
 * @param forceSslRedirect redirect even when the host has no TLS ({@code force-ssl-redirect}, false unless set true)
 */
public record TlsRedirectPolicy(boolean sslRedirect, boolean forceSslRedirect) implements RoutePolicy {

    /** What an Ingress without either annotation gets. */
    public static final TlsRedirectPolicy DEFAULTS = new TlsRedirectPolicy(true, false);

    /** Whether a request of the route goes to HTTPS, given whether the route's host has TLS. */
    public boolean redirects(boolean hostHasTls) {
        return forceSslRedirect || (sslRedirect && hostHasTls);
    }

    /**
     * Whether requests for a TLS host this Ingress decides, matching none of the host's routes, go to HTTPS: unless
     * the Ingress opts out (and does not force it).
     */
    public boolean redirectsUnmatchedPaths() {
        return sslRedirect || forceSslRedirect;
    }
}
