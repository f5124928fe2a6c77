package io.ingressgateway.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingressgateway.corpus.Corpus.Case;
import io.ingressgateway.migration.MigrationCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration check on the corpus, as a user runs it on {@code kubectl get ingress,service,secret -A -o yaml} of
 * the cluster the corpus is applied to: every Ingress is named with the verdict {@code corpus/expectations.yaml}
 * gives it, each annotation with its status, and the exit code says that some would behave differently.
 */
class CorpusMigrationCheckTest {

    @Test
    void theCheckNamesEveryCorpusIngressWithItsVerdictAndFailsBecauseSomeDiffer(@TempDir Path directory)
            throws IOException {
        Files.writeString(directory.resolve("00-cluster.yaml"), Corpus.cluster(Corpus.objects(), port -> 8080));
        for (Path file : Corpus.files()) {
            Files.copy(file, directory.resolve(file.getFileName()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = MigrationCheck.run(new String[] {directory.toString()}, new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(exit).as(output).isEqualTo(MigrationCheck.DIFFERS);

        Map<String, String> expected = new TreeMap<>();
        for (Case corpusCase : Corpus.cases()) {
            expected.putAll(corpusCase.migration());
        }
        Map<String, String> verdicts = new TreeMap<>();
        output.lines().filter(line -> !line.startsWith(" ") && line.contains(": ")).forEach(line -> {
            String[] parts = line.split(": ", 2);
            verdicts.put(parts[0], parts[1].equals("same behaviour") ? "same" : parts[1]
                    .equals("WOULD BEHAVE DIFFERENTLY") ? "differs" : parts[1]);
        });
        assertThat(verdicts).as(output).isEqualTo(expected);
        long differing = expected.values().stream().filter("differs"::equals).count();
        assertThat(output).contains(expected.size() + " Ingresses checked, " + differing
                + " would behave differently behind the gateway");

        // What makes them differ, and what does not, said per annotation.
        assertThat(output)
                .contains("  ! nginx.ingress.kubernetes.io/configuration-snippet: refused for security")
                .contains("  ! nginx.ingress.kubernetes.io/proxy-body-size: invalid value - value 'ten megabytes'")
                .contains("    nginx.ingress.kubernetes.io/enable-magic: unknown")
                .contains("    nginx.ingress.kubernetes.io/rewrite-target: served")
                .contains("    nginx.ingress.kubernetes.io/proxy-next-upstream-tries: served")
                .doesNotContain("does not exist");
    }
}
