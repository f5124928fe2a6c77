package io.ingressgateway.model;

/**
 * A host named in some served Ingress's {@code spec.tls}, and the certificate it is served with.
 *
 * @param host           the host pattern (exact or wildcard), as SNI is matched against it
 * @param ingress        the Ingress whose {@code spec.tls} decides this host (the oldest one naming it)
 * @param secret         {@code namespace/name} of the Secret it asks for, or null when the entry names none
 * @param certificate    the certificate served, or null for the default certificate
 * @param fallbackReason why the default certificate is served instead of the Secret's; null when it is not
 */
public record TlsHost(HostMatch host, IngressRef ingress, String secret, TlsCertificate certificate,
                      String fallbackReason) {
}
