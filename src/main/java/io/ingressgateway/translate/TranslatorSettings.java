package io.ingressgateway.translate;

import io.ingressgateway.model.ExternalNamePolicy;

/**
 * What the translator needs to know about this controller.
 *
 * @param ingressClass             our IngressClass name (also matched against the legacy annotation)
 * @param controllerName           the {@code spec.controller} of IngressClasses that are ours
 * @param defaultBackendService    {@code namespace/name:port} of the configured default backend Service, or empty
 * @param defaultCertificateSecret {@code namespace/name} of the Secret configured as default certificate, or empty
 * @param externalNames            whether ExternalName Services are served, and which IP literals they may name
 */
public record TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                                 String defaultCertificateSecret, ExternalNamePolicy externalNames) {

    public TranslatorSettings {
        defaultBackendService = defaultBackendService == null ? "" : defaultBackendService;
        defaultCertificateSecret = defaultCertificateSecret == null ? "" : defaultCertificateSecret.trim();
        externalNames = externalNames == null ? ExternalNamePolicy.DISABLED : externalNames;
    }

    /** Settings with ExternalName Services off (the default). */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                              String defaultCertificateSecret) {
        this(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret,
                ExternalNamePolicy.DISABLED);
    }

    /** Settings without a default certificate, ExternalName Services off. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService) {
        this(ingressClass, controllerName, defaultBackendService, "");
    }
}
