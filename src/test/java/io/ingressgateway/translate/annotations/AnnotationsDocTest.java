package io.ingressgateway.translate.annotations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/annotations.md is what the code does: the table is written from the registry and the catalogue, and this test
 * fails when the file differs. {@code -Dannotations.doc.write=true} rewrites the file instead (docs/testing.md), which
 * is how the document follows a family added to the registry.
 */
class AnnotationsDocTest {

    static final Path DOC = Path.of("docs", "annotations.md");

    @Test
    void docsAnnotationsMdIsGeneratedFromTheRegistry() throws IOException {
        String expected = AnnotationCompatibilityTable.markdown(AnnotationFamilies.standard());
        if (Boolean.getBoolean("annotations.doc.write")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        String actual = Files.exists(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            fail(DOC + " differs from what the code does. Regenerate it with\n    "
                    + AnnotationCompatibilityTable.REGENERATE + "\nExpected content:\n" + expected);
        }
    }

    @Test
    void theTableFollowsTheRegistry() {
        String none = AnnotationCompatibilityTable.markdown(new AnnotationFamilies(List.of()));
        String withRewrite = AnnotationCompatibilityTable.markdown(new AnnotationFamilies(List.of(
                new NginxAnnotationCatalogTest.FakeRewrite(new java.util.ArrayList<>()))));

        assertThat(none).contains("| `nginx.ingress.kubernetes.io/rewrite-target` | unsupported |  |"
                + " the upstream receives the request path unchanged |");
        assertThat(withRewrite).contains("| `nginx.ingress.kubernetes.io/rewrite-target` | served |"
                + " `ingress-gateway.io/rewrite-target` | served by the fake rewrite family |");
        assertThat(withRewrite).contains("| `ingress-gateway.io/rewrite-target` | fake rewrite |");
        assertThat(none).contains("| `nginx.ingress.kubernetes.io/configuration-snippet` | refused for security |")
                .contains("| `nginx.ingress.kubernetes.io/proxy-buffer-size` | no effect |")
                .contains("| `nginx.ingress.kubernetes.io/secure-backends` | unknown | removed in ingress-nginx 0.21;")
                .contains("| `nginx.ingress.kubernetes.io/fastcgi-index` * | unsupported |");
        // A key ingress-nginx retired that a family serves again says so.
        assertThat(AnnotationCompatibilityTable.markdown(AnnotationFamilies.standard()))
                .contains("| `nginx.ingress.kubernetes.io/global-rate-limit` | served | removed in ingress-nginx 1.12");
        assertThat(none).contains("| `nginx.ingress.kubernetes.io/global-rate-limit` | unknown | removed in");
        for (NginxAnnotationCatalog.Entry entry : NginxAnnotationCatalog.entries()) {
            assertThat(none).contains("| `nginx.ingress.kubernetes.io/" + entry.name() + "`");
        }
    }
}
