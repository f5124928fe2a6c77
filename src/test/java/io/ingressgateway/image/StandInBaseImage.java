package io.ingressgateway.image;

import io.ingressgateway.image.Tar.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes the base image that {@code ./mvnw verify} builds the container image onto, since the machines that build and
 * test cannot pull the real one (pom.xml's {@code image.base}): a {@code docker save} archive, which Jib accepts as a
 * {@code tar://} base. It has one small layer shaped like the real base's ({@code /etc/passwd} with the nonroot user,
 * a world-writable {@code /tmp}), and deliberately differs from it where the image's own configuration must decide:
 * it runs as root, in {@code /}, with an entrypoint and a command of its own. So when ContainerImageTest finds the
 * gateway's user, working directory and entrypoint in the built image, they came from pom.xml, not from a base.
 *
 * <p>Run by exec-maven-plugin (process-test-classes) with the archive's path as the only argument.
 */
public final class StandInBaseImage {

    static final String USER = "0";
    static final String WORKING_DIRECTORY = "/";
    static final String ENTRYPOINT = "/usr/bin/java";
    static final String COMMAND = "-version";

    private StandInBaseImage() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: StandInBaseImage <archive.tar>");
        }
        Path archive = Path.of(args[0]);
        Files.createDirectories(archive.toAbsolutePath().getParent());
        Files.write(archive, archive());
    }

    static byte[] archive() {
        byte[] layer = Tar.write(List.of(
                Entry.directory("etc", 0755, 0, 0),
                Entry.file("etc/passwd", 0644, 0, 0,
                        "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"),
                Entry.file("etc/group", 0644, 0, 0, "root:x:0:\nnonroot:x:65532:\n"),
                Entry.directory("home", 0755, 0, 0),
                Entry.directory("home/nonroot", 0700, 65532, 65532),
                Entry.directory("tmp", 01777, 0, 0)));
        String config = """
                {"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
                 "config":{"User":"%s","WorkingDir":"%s","Entrypoint":["%s"],"Cmd":["%s"],
                  "Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
                 "rootfs":{"type":"layers","diff_ids":["%s"]},
                 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"StandInBaseImage"}]}
                """.formatted(USER, WORKING_DIRECTORY, ENTRYPOINT, COMMAND, diffId(layer));
        String manifest = """
                [{"Config":"config.json","RepoTags":["stand-in-base:local"],"Layers":["layer.tar"]}]
                """;
        return Tar.write(List.of(
                Entry.file("manifest.json", manifest.getBytes(StandardCharsets.UTF_8)),
                Entry.file("config.json", config.getBytes(StandardCharsets.UTF_8)),
                Entry.file("layer.tar", layer)));
    }

    /** A layer's diff id: the digest of its uncompressed tar, as image configurations list them. */
    static String diffId(byte[] layer) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(layer));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
