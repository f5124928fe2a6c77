package io.ingressgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is what the configuration metadata says: the test regenerates it in memory from the
 * metadata spring-boot-configuration-processor wrote into target/classes (descriptions from the record tree's javadoc
 * {@code @param}s, defaults from its {@code @DefaultValue}s) and from application.yaml, and fails when the file
 * differs, when a property has no description or no default, when application.yaml sets a key the metadata does not
 * know, or when application.yaml and a record default disagree. {@code -Dconfiguration.doc.write=true} rewrites the
 * file instead (docs/testing.md), which is how the document follows a property added to the records.
 */
class ConfigurationReferenceTest {

    static final Path DOC = Path.of("docs", "configuration.md");

    @Test
    void docsConfigurationMdIsGeneratedFromTheMetadata() throws IOException {
        ConfigurationReference reference = fromBuild();
        String expected = reference.markdown();
        if (Boolean.getBoolean("configuration.doc.write")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            fail(DOC + " differs from the configuration metadata. Regenerate it with\n    "
                    + ConfigurationReference.REGENERATE + "\nExpected content:\n" + expected);
        }
    }

    @Test
    void everyPropertyIsDocumentedWithADefaultAndApplicationYamlSetsOnlyKnownOnes() throws IOException {
        ConfigurationReference reference = fromBuild();

        assertThat(reference.problems()).as("fix these, then regenerate with " + ConfigurationReference.REGENERATE)
                .isEmpty();
        // The whole tree is in the metadata, list-valued and nested records included.
        assertThat(reference.properties()).extracting(ConfigurationReference.Property::name)
                .contains("ingress-gateway.ingress-class", "ingress-gateway.host-ownership",
                        "ingress-gateway.listener.backlog", "ingress-gateway.resilience.circuit-breaker"
                                + ".failure-rate-threshold", "ingress-gateway.tls.http2.flood-window",
                        "ingress-gateway.global-rate-limit.redis.url", "ingress-gateway.source-ranges.allowlist");
    }

    @Test
    void anUndocumentedPropertyAMisspelledYamlKeyAndAMissingOrDisagreeingDefaultAreReported() {
        String metadata = """
                {"groups": [{"name": "ingress-gateway", "type": "io.ingressgateway.config.IngressGatewayProperties"},
                            {"name": "ingress-gateway.listener",
                             "type": "io.ingressgateway.config.IngressGatewayProperties$Listener",
                             "sourceType": "io.ingressgateway.config.IngressGatewayProperties",
                             "sourceMethod": "listener()"}],
                 "properties": [
                   {"name": "ingress-gateway.listener.backlog", "type": "java.lang.Integer",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties$Listener", "defaultValue": 1024},
                   {"name": "ingress-gateway.listener.retry-after", "type": "java.time.Duration",
                    "description": "the {@code Retry-After} of that 503",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties$Listener", "defaultValue": "1s"},
                   {"name": "ingress-gateway.listener.keep-alive-timeout", "type": "java.time.Duration",
                    "description": "idle time between two requests",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties$Listener"},
                   {"name": "ingress-gateway.watch-namespaces", "type": "java.util.List<java.lang.String>",
                    "description": "namespaces to watch",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties"},
                   {"name": "ingress-gateway.host-ownership",
                    "type": "java.util.List<io.ingressgateway.config.IngressGatewayProperties$HostOwnershipRule>",
                    "description": "rules {@code {namespaces: [...]}}",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties"}]}
                """;
        String yaml = """
                ingress-gateway:
                  host-ownership: []
                  listener:
                    backlog: 1024
                    retry-after: 2s
                    keep-alive-timeout: 75s
                    max-conections: 10
                  listner:
                    backlog: 5
                """;

        ConfigurationReference reference = ConfigurationReference.of(metadata, yaml);

        assertThat(reference.problems()).containsExactlyInAnyOrder(
                "application.yaml sets ingress-gateway.listener.max-conections, which is no property of"
                        + " IngressGatewayProperties (a typo, or a key left behind; write it in kebab-case as the"
                        + " metadata names it)",
                "application.yaml sets ingress-gateway.listner, which is no property of IngressGatewayProperties"
                        + " (a typo, or a key left behind; write it in kebab-case as the metadata names it)",
                "ingress-gateway.listener.backlog has no description: add an @param sentence for it to the javadoc"
                        + " of IngressGatewayProperties.Listener",
                "ingress-gateway.listener.retry-after defaults to 2s in application.yaml but to 1s in the"
                        + " @DefaultValue of IngressGatewayProperties.Listener: make them agree, so the default does"
                        + " not depend on which file is loaded",
                "ingress-gateway.listener.keep-alive-timeout has no @DefaultValue in"
                        + " IngressGatewayProperties.Listener: give it the value application.yaml sets",
                "ingress-gateway.watch-namespaces has no default the metadata knows: set it in application.yaml"
                        + " (with a comment saying why)",
                "ingress-gateway.host-ownership is a list of HostOwnershipRule; its description must show the"
                        + " element's shape, field hosts included");
        assertThat(ConfigurationReference.of("{}", "").problems()).singleElement().asString()
                .contains("is spring-boot-configuration-processor running as an annotation processor?");
    }

    @Test
    void aTableRowShowsTypeDefaultAndTheJavadocAsASentence() {
        String metadata = """
                {"groups": [{"name": "ingress-gateway", "type": "io.ingressgateway.config.IngressGatewayProperties"}],
                 "properties": [
                   {"name": "ingress-gateway.source",
                    "type": "io.ingressgateway.config.IngressGatewayProperties$SourceMode",
                    "description": "{@code auto} or {@code manifests} ({@code a|b})",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties", "defaultValue": "auto"},
                   {"name": "ingress-gateway.host-ownership",
                    "type": "java.util.List<io.ingressgateway.config.IngressGatewayProperties$HostOwnershipRule>",
                    "description": "rules {@code {namespaces: [...], hosts: [...]}}",
                    "sourceType": "io.ingressgateway.config.IngressGatewayProperties"}]}
                """;

        String markdown = ConfigurationReference.of(metadata, "ingress-gateway: {host-ownership: []}").markdown();

        assertThat(markdown).contains("## Top level\n")
                .contains("| `ingress-gateway.source` | `auto` \\| `kubernetes` \\| `manifests` | `auto` |"
                        + " `auto` or `manifests` (`a\\|b`). |")
                .contains("| `ingress-gateway.host-ownership` | list of `{namespaces, hosts}` | empty |"
                        + " Rules `{namespaces: [...], hosts: [...]}`. |");
    }

    /** The metadata the build wrote next to the compiled IngressGatewayProperties, and the real application.yaml. */
    static ConfigurationReference fromBuild() throws IOException {
        Path classes;
        try {
            classes = Path.of(IngressGatewayProperties.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path metadata = classes.resolve("META-INF/spring-configuration-metadata.json");
        if (!Files.exists(metadata)) {
            fail(metadata + " is missing: spring-boot-configuration-processor must run as an annotation processor"
                    + " when the main classes compile (pom.xml)");
        }
        return ConfigurationReference.of(Files.readString(metadata, StandardCharsets.UTF_8),
                Files.readString(Path.of("src", "main", "resources", "application.yaml"), StandardCharsets.UTF_8));
    }
}
