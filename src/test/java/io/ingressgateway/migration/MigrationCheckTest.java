package io.ingressgateway.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration check run as a user runs it: on files, with its exit code and what it prints. */
class MigrationCheckTest {

    private static final Path CORPUS = Path.of("src", "test", "resources", "migration", "kubectl-get-all.yaml");

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MigrationCheck.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theShippedExampleConfigurationWouldBehaveTheSame() {
        Run run = run("config");

        assertThat(run.exitCode()).isEqualTo(MigrationCheck.SAME);
        assertThat(run.out()).contains("default/demo: same behaviour")
                .contains("1 Ingresses checked, 0 would behave differently");
    }

    @Test
    void aKubectlListIsCheckedIngressByIngressAndTheDifferencesFailTheCheck() {
        Run run = run(CORPUS.toString());

        assertThat(run.exitCode()).isEqualTo(MigrationCheck.DIFFERS);
        assertThat(run.out())
                // Served, no effect, and a key ingress-nginx ignores too: the same behaviour.
                .contains("shop/storefront: same behaviour")
                .contains("    nginx.ingress.kubernetes.io/ssl-redirect: served")
                .contains("    nginx.ingress.kubernetes.io/proxy-buffering: no effect - ")
                .contains("    nginx.ingress.kubernetes.io/client-max-body-size: unknown - not an annotation of"
                        + " ingress-nginx")
                .doesNotContain("last-applied-configuration")
                // A snippet makes it differ; the external authentication beside it is served (issue 13).
                .contains("shop/headers: WOULD BEHAVE DIFFERENTLY")
                .contains("  ! nginx.ingress.kubernetes.io/configuration-snippet: refused for security - ")
                .contains("    nginx.ingress.kubernetes.io/auth-url: served")
                // An invalid value of a served annotation, and an ImplementationSpecific path.
                .contains("shop/slow: WOULD BEHAVE DIFFERENTLY")
                .contains("  ! nginx.ingress.kubernetes.io/proxy-read-timeout: invalid value - value '5s'")
                .contains("  ! spec.rules[0].http.paths[0]: differs - ImplementationSpecific '/export' is an"
                        + " element-wise prefix here")
                .contains("3 Ingresses checked, 2 would behave differently");
    }

    @Test
    void aDirectoryOfManifestsIsReadWhole(@TempDir Path directory) throws IOException {
        Files.createDirectories(directory.resolve("apps"));
        Files.copy(CORPUS, directory.resolve("apps").resolve("all.yml"));
        Files.writeString(directory.resolve("README.txt"), "not a manifest");

        Run run = run(directory.toString());

        assertThat(run.exitCode()).isEqualTo(MigrationCheck.DIFFERS);
        assertThat(run.out()).contains("3 Ingresses checked, 2 would behave differently");
    }

    @Test
    void unreadableInputIsExitCodeTwoWithTheReason(@TempDir Path directory) throws IOException {
        Path broken = Files.writeString(directory.resolve("broken.yaml"), "kind: [unclosed");

        assertThat(run().exitCode()).isEqualTo(MigrationCheck.UNREADABLE);
        assertThat(run().err()).contains("usage");
        Run run = run(broken.toString());
        assertThat(run.exitCode()).isEqualTo(MigrationCheck.UNREADABLE);
        assertThat(run.err()).contains("broken.yaml");
        assertThat(run(directory.resolve("missing.yaml").toString()).exitCode())
                .isEqualTo(MigrationCheck.UNREADABLE);
    }
}
