package io.ingressgateway.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.ingressgateway.source.ManifestParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The corpus's manifests stay apart, so that each file's expectations describe that file's Ingresses alone: no two
 * files name the same Ingress (the later would replace the earlier), and no two files serve the same host, except the
 * pairs that share one on purpose (a shared host, a canary beside its main Ingress). Manifests written in parallel by
 * several hands collided on both before this test.
 */
class CorpusHygieneTest {

    /** Hosts several files serve on purpose. */
    private static final Set<String> SHARED_ON_PURPOSE = Set.of("shared.example.com");

    @Test
    void noTwoFilesNameTheSameIngressOrServeTheSameHost() throws Exception {
        Map<String, Set<String>> filesByIngress = new TreeMap<>();
        Map<String, Set<String>> filesByHost = new TreeMap<>();
        ManifestParser parser = new ManifestParser();
        for (Path file : Corpus.files()) {
            String name = file.getFileName().toString();
            for (HasMetadata object : parser.parse(Files.readAllBytes(file))) {
                if (!(object instanceof Ingress ingress)) {
                    continue;
                }
                String namespace = Objects.requireNonNullElse(ingress.getMetadata().getNamespace(), "default");
                filesByIngress.computeIfAbsent(namespace + "/" + ingress.getMetadata().getName(),
                        key -> new TreeSet<>()).add(name);
                Map<String, String> annotations = ingress.getMetadata().getAnnotations();
                boolean canary = annotations != null
                        && "true".equals(annotations.get("nginx.ingress.kubernetes.io/canary"));
                if (canary || ingress.getSpec().getRules() == null) {
                    continue;
                }
                ingress.getSpec().getRules().stream()
                        .filter(rule -> rule.getHost() != null && !SHARED_ON_PURPOSE.contains(rule.getHost()))
                        .forEach(rule -> filesByHost.computeIfAbsent(rule.getHost(), key -> new TreeSet<>())
                                .add(name));
            }
        }

        assertThat(filesByIngress).isNotEmpty();
        assertThat(filesByIngress).allSatisfy((ingress, files) -> assertThat(files).as(ingress).hasSize(1));
        assertThat(filesByHost).allSatisfy((host, files) -> assertThat(files).as(host).hasSize(1));
    }
}
