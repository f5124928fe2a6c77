package io.ingressgateway.translate;

/**
 * What the translator needs to know about this controller.
 *
 * @param ingressClass             our IngressClass name (also matched against the legacy annotation)
 * @param controllerName           the {@code spec.controller} of IngressClasses that are ours
 * @param defaultBackendService    {@code namespace/name:port} of the configured default backend Service, or empty
 * @param defaultCertificateSecret {@code namespace/name} of the Secret configured as default certificate, or empty
 */
public record TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                                 String defaultCertificateSecret) {

    public TranslatorSettings {
        defaultBackendService = defaultBackendService == null ? "" : defaultBackendService;
        defaultCertificateSecret = defaultCertificateSecret == null ? "" : defaultCertificateSecret.trim();
    }

    /** Settings without a default certificate. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService) {
        this(ingressClass, controllerName, defaultBackendService, "");
    }
}
