package io.ingressgateway.model;

import java.util.List;
import java.util.Set;

/**
 * What HTTPS needs from the translated Ingresses: the certificate of each TLS host and the configured default
 * certificate, and which hosts redirect HTTP requests that match none of their routes. (Whether a route's own requests
 * redirect is its {@link io.ingressgateway.model.policy.TlsRedirectPolicy} against these hosts.)
 *
 * @param hosts              one per distinct TLS host pattern, in the order virtual hosts are listed
 * @param redirectHosts      hosts whose HTTP requests matching none of their routes are redirected to HTTPS
 * @param defaultCertificate the configured default certificate as read from its Secret, or null when none is
 *                           configured (the data plane then serves its self-signed one)
 */
public record TlsModel(List<TlsHost> hosts, Set<HostMatch> redirectHosts, DefaultCertificate defaultCertificate) {

    public static final TlsModel EMPTY = new TlsModel(List.of(), Set.of(), null);

    public TlsModel {
        hosts = List.copyOf(hosts);
        redirectHosts = Set.copyOf(redirectHosts);
    }

    /**
     * The Secret configured as default certificate ({@code ingress-gateway.tls.default-certificate}) as read.
     *
     * @param secret      {@code namespace/name} of the Secret
     * @param certificate its certificate, or null when it is missing or unusable
     * @param problem     why it is unusable; null when it is usable
     */
    public record DefaultCertificate(String secret, TlsCertificate certificate, String problem) {
    }
}
