package io.ingressgateway.translate.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.ingressgateway.model.TlsCertificate;
import java.util.Base64;
import java.util.Map;

/** Reads a TLS Secret ({@code tls.crt} and {@code tls.key}, in {@code data} or, from manifests, {@code stringData}). */
public final class TlsSecrets {

    public static final String CERTIFICATE_KEY = "tls.crt";
    public static final String PRIVATE_KEY_KEY = "tls.key";

    private TlsSecrets() {
    }

    /** The certificate a Secret holds, named after it ({@code namespace/name}). */
    public static TlsCertificate parse(Secret secret) throws InvalidCertificateException {
        String name = secret.getMetadata() == null ? "?"
                : secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
        return PemCertificates.parse(name, value(secret, CERTIFICATE_KEY), value(secret, PRIVATE_KEY_KEY));
    }

    /** The text of {@code key} in {@code data} (base64) or {@code stringData}, or null when the Secret has none. */
    static String optionalValue(Secret secret, String key) throws InvalidCertificateException {
        boolean present = (secret.getData() != null && secret.getData().get(key) != null)
                || (secret.getStringData() != null && secret.getStringData().get(key) != null);
        return present ? value(secret, key) : null;
    }

    private static String value(Secret secret, String key) throws InvalidCertificateException {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            try {
                return PemCertificates.text(Base64.getMimeDecoder().decode(data.get(key)));
            } catch (IllegalArgumentException e) {
                throw new InvalidCertificateException(key + " is not valid base64", e);
            }
        }
        Map<String, String> stringData = secret.getStringData();
        if (stringData != null && stringData.get(key) != null) {
            return stringData.get(key);
        }
        throw new InvalidCertificateException("the Secret has no " + key);
    }
}
