package io.ingressgateway.translate.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.model.TlsCertificate;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Reads the Secret an Ingress names in {@code proxy-ssl-secret}, as ingress-nginx does: {@code ca.crt}, the CA
 * certificates the upstream's certificate must chain to, and optionally {@code tls.crt} with {@code tls.key}, the
 * client certificate presented to the upstream. Pure, like {@link PemCertificates}.
 */
public final class ProxySslSecrets {

    public static final String CA_KEY = "ca.crt";

    /**
     * What the Secret holds.
     *
     * @param trusted           the CA certificates of {@code ca.crt}, empty when it has none
     * @param clientCertificate the client certificate, or null when it has neither {@code tls.crt} nor {@code tls.key}
     */
    public record Material(List<X509Certificate> trusted, TlsCertificate clientCertificate) {
    }

    private ProxySslSecrets() {
    }

    /**
     * The CA certificates of a Secret's {@code ca.crt} (as {@code proxy-ssl-secret} and {@code auth-tls-secret} hold
     * them), empty when it has none.
     *
     * @throws InvalidCertificateException when {@code ca.crt} is there but cannot be read
     */
    public static List<X509Certificate> caCertificates(Secret secret) throws InvalidCertificateException {
        String ca = TlsSecrets.optionalValue(secret, CA_KEY);
        if (ca == null || ca.isBlank()) {
            return List.of();
        }
        try {
            return PemCertificates.certificates(ca);
        } catch (InvalidCertificateException e) {
            throw new InvalidCertificateException(e.getMessage().replace(TlsSecrets.CERTIFICATE_KEY, CA_KEY), e);
        }
    }

    /**
     * @param name {@code namespace/name} of the Secret, for messages and the client certificate's source
     * @throws InvalidCertificateException when a part it has cannot be read, or it has only one of {@code tls.crt}
     *                                     and {@code tls.key}
     */
    public static Material read(String name, Secret secret) throws InvalidCertificateException {
        List<X509Certificate> trusted = caCertificates(secret);
        String certificate = TlsSecrets.optionalValue(secret, TlsSecrets.CERTIFICATE_KEY);
        String key = TlsSecrets.optionalValue(secret, TlsSecrets.PRIVATE_KEY_KEY);
        boolean hasCertificate = certificate != null && !certificate.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (hasCertificate != hasKey) {
            throw new InvalidCertificateException(hasCertificate ? "tls.crt has no tls.key beside it"
                    : "tls.key has no tls.crt beside it");
        }
        TlsCertificate client = hasCertificate ? PemCertificates.parse(name, certificate, key) : null;
        return new Material(trusted, client);
    }
}
