package io.ingressgateway.tls;

import io.ingressgateway.config.IngressGatewayProperties;
import io.ingressgateway.edge.ClientTimeouts;
import io.ingressgateway.edge.ConnectionLimit;
import io.ingressgateway.edge.PublicListenerCustomizer;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.server.reactive.HttpHandler;

/**
 * TLS termination: certificates by SNI, the HTTPS listener, redirects and HSTS, certificate expiry metrics.
 * {@code ingress-gateway.tls.enabled=false} turns all of it off.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "ingress-gateway.tls", name = "enabled", matchIfMissing = true)
public class TlsConfiguration {

    @Bean
    SniCertificates sniCertificates(IngressGatewayProperties properties) {
        return new SniCertificates(properties.tls());
    }

    @Bean
    TlsRedirects tlsRedirects() {
        return new TlsRedirects();
    }

    @Bean
    HttpsRedirectFilter httpsRedirectFilter(TlsRedirects redirects, IngressGatewayProperties properties) {
        return new HttpsRedirectFilter(redirects, properties.tls());
    }

    @Bean
    ClientCertificateFilter clientCertificateFilter(SniCertificates certificates) {
        return new ClientCertificateFilter(certificates);
    }

    @Bean
    CertificateMetrics certificateMetrics(SniCertificates certificates) {
        return new CertificateMetrics(certificates);
    }

    @Bean
    HttpsListenerMetrics httpsListenerMetrics() {
        return new HttpsListenerMetrics();
    }

    @Bean
    HttpsConnectionGuards httpsConnectionGuards(IngressGatewayProperties properties, SniCertificates certificates,
                                                HttpsListenerMetrics metrics) {
        return new HttpsConnectionGuards(properties.tls().http2(), certificates, metrics, properties.serverHeader());
    }

    /** Listens only beside a real web server: a mock web environment (tests) has no port to add to. */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    HttpsListener httpsListener(IngressGatewayProperties properties, HttpHandler httpHandler,
                                SniCertificates certificates, ObjectProvider<ReactorResourceFactory> resources,
                                ConnectionLimit connectionLimit, HttpsConnectionGuards connectionGuards,
                                ClientTimeouts clientTimeouts,
                                Environment environment, ApplicationContext context) {
        Duration shutdownTimeout = environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase",
                Duration.class, Duration.ofSeconds(30));
        // The same bounds and timeouts as the HTTP listener, and one connection budget shared by both.
        PublicListenerCustomizer bounds = new PublicListenerCustomizer(properties.listener(), connectionLimit,
                clientTimeouts, properties.clientAddress());
        return new HttpsListener(properties.tls(), httpHandler, certificates, resources.getIfUnique(), bounds,
                connectionGuards, shutdownTimeout, context instanceof ReactiveWebServerApplicationContext);
    }
}
