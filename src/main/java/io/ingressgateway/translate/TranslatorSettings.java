package io.ingressgateway.translate;

import io.ingressgateway.model.ExternalNamePolicy;
import java.util.List;

/**
 * What the translator needs to know about this controller.
 *
 * @param ingressClass                 our IngressClass name (also matched against the legacy annotation)
 * @param controllerName               the {@code spec.controller} of IngressClasses that are ours
 * @param defaultBackendService        {@code namespace/name:port} of the configured default backend Service, or empty
 * @param defaultCertificateSecret     {@code namespace/name} of the Secret configured as default certificate, or empty
 * @param externalNames                whether ExternalName Services are served, and which IP literals they may name
 * @param hostOwnership                which namespaces may claim which hosts; empty lets every namespace claim any host
 * @param configuredDefaultBackendWins whether requests matching no host always go to the configured default backend
 *                                     (or the built-in 404), never to an Ingress's {@code spec.defaultBackend}
 * @param globalRateLimitStore         whether a shared store (Redis) for {@code global-rate-limit} is configured;
 *                                     without one, Ingresses asking for a global limit are served without it, with a
 *                                     warning
 */
public record TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                                 String defaultCertificateSecret, ExternalNamePolicy externalNames,
                                 List<HostOwnershipRule> hostOwnership, boolean configuredDefaultBackendWins,
                                 boolean globalRateLimitStore) {

    public TranslatorSettings {
        defaultBackendService = defaultBackendService == null ? "" : defaultBackendService;
        defaultCertificateSecret = defaultCertificateSecret == null ? "" : defaultCertificateSecret.trim();
        externalNames = externalNames == null ? ExternalNamePolicy.DISABLED : externalNames;
        hostOwnership = hostOwnership == null ? List.of() : List.copyOf(hostOwnership);
    }

    /** Settings without a global rate limit store. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                              String defaultCertificateSecret, ExternalNamePolicy externalNames,
                              List<HostOwnershipRule> hostOwnership, boolean configuredDefaultBackendWins) {
        this(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret, externalNames,
                hostOwnership, configuredDefaultBackendWins, false);
    }

    /** Settings without tenant restrictions. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                              String defaultCertificateSecret, ExternalNamePolicy externalNames) {
        this(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret, externalNames, List.of(),
                false);
    }

    /** Settings with ExternalName Services off (the default) and without tenant restrictions. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService,
                              String defaultCertificateSecret) {
        this(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret,
                ExternalNamePolicy.DISABLED);
    }

    /** Settings without a default certificate, ExternalName Services off, without tenant restrictions. */
    public TranslatorSettings(String ingressClass, String controllerName, String defaultBackendService) {
        this(ingressClass, controllerName, defaultBackendService, "");
    }

    /** These settings with other host ownership rules. */
    public TranslatorSettings withHostOwnership(List<HostOwnershipRule> rules) {
        return new TranslatorSettings(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret,
                externalNames, rules, configuredDefaultBackendWins, globalRateLimitStore);
    }

    /** These settings with the configured default backend winning, or not, over Ingresses' ones. */
    public TranslatorSettings withConfiguredDefaultBackendWins(boolean wins) {
        return new TranslatorSettings(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret,
                externalNames, hostOwnership, wins, globalRateLimitStore);
    }

    /** These settings with a global rate limit store configured, or not. */
    public TranslatorSettings withGlobalRateLimitStore(boolean configured) {
        return new TranslatorSettings(ingressClass, controllerName, defaultBackendService, defaultCertificateSecret,
                externalNames, hostOwnership, configuredDefaultBackendWins, configured);
    }
}
