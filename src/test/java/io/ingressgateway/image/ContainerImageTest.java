package io.ingressgateway.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.ingressgateway.IngressGatewayApplication;
import io.ingressgateway.image.Tar.Entry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the container image this build wrote (pom.xml: jib-maven-plugin's {@code image-tar} execution, onto the
 * stand-in base of {@link StandInBaseImage}, before the tests run) the way a container runtime would, and checks what
 * Kubernetes will run: the launch command, user, ports, working directory, labels, the layer split and what the layers
 * write; and that the Helm chart installs, by default, exactly the image this build names. The image is the release's
 * configuration on another base: only {@code from} differs (pom.xml).
 */
class ContainerImageTest {

    private static final Path IMAGE = Path.of("target/image/image-on-stand-in-base.tar");
    private static final Path STAND_IN_BASE = Path.of("target/image/stand-in-base.tar");
    private static final Path POM = Path.of("pom.xml");
    private static final Path APPLICATION_YAML = Path.of("src/main/resources/application.yaml");
    private static final Path CHART = Path.of("helm/ingress-gateway");

    /** Jib's application root: the working directory, and where every layer of ours writes. */
    private static final String APP_ROOT = "app/";
    /** Layer contents larger than this are not kept in memory (jars); their paths and sizes are. */
    private static final int KEEP_CONTENT_UP_TO = 64 * 1024;
    /** Artifacts that serve only the build or the tests; none may ship. */
    private static final List<String> BUILD_AND_TEST_ONLY = List.of("spring-boot-configuration-processor-",
            "spring-boot-test", "spring-boot-webtestclient", "junit-", "assertj-", "mockito-", "awaitility-",
            "wiremock-", "kubernetes-server-mock-", "mockwebserver-", "helm-java", "archunit", "jazzer",
            "blockhound", "jmh-");

    private static Image image;
    private static List<String> baseDiffIds;

    @BeforeAll
    static void readImage() throws IOException {
        image = Image.read(IMAGE);
        baseDiffIds = Image.read(STAND_IN_BASE).diffIds();
    }

    @Test
    void entrypointStartsTheGatewaysMainClassWithFlagsThatWriteOnlyUnderTmp() {
        String mainClass = IngressGatewayApplication.class.getName();

        // Every path the JVM writes to is under /tmp: the chart mounts an emptyDir there under a read-only root.
        assertThat(image.containerConfig().get("Entrypoint")).isEqualTo(List.of("java",
                "-Djava.io.tmpdir=/tmp",
                "-XX:ErrorFile=/tmp/hs_err_pid%p.log",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp", "@/app/jib-classpath-file",
                mainClass));
        // The base's command would otherwise be appended to the entrypoint as arguments.
        assertThat(image.containerConfig().get("Cmd")).satisfiesAnyOf(
                cmd -> assertThat(cmd).isNull(), cmd -> assertThat((List<?>) cmd).isEmpty());
        assertThat(image.file("app/jib-main-class-file").text().strip()).isEqualTo(mainClass);
        assertThat(image.ourEntries()).extracting(Entry::path)
                .contains("app/classes/" + mainClass.replace('.', '/') + ".class");
    }

    @Test
    void heapIsAShareOfTheContainersMemoryLimitThatOperatorsCanReplace() {
        // In the environment, not on the command line: a flag there would win over the chart's JAVA_TOOL_OPTIONS.
        assertThat(image.environment()).containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=50.0 -XX:+UseG1GC");
        assertThat(image.entrypoint()).noneMatch(flag -> flag.startsWith("-Xmx") || flag.startsWith("-Xms")
                || flag.contains("RAMPercentage") || flag.startsWith("-XX:+Use") && flag.endsWith("GC"));
    }

    @Test
    void runsAsANumericNonRootUserInAnApplicationDirectoryWithoutManifests() {
        String[] user = ((String) image.containerConfig().get("User")).split(":");

        // Numeric (runAsNonRoot cannot check a name) and not root; the stand-in base runs as root, so this is ours.
        assertThat(user).hasSize(2).allMatch(id -> id.matches("[0-9]+"));
        assertThat(Integer.parseInt(user[0])).isNotZero();
        assertThat(Integer.parseInt(user[1])).isNotZero();
        assertThat(image.containerConfig().get("WorkingDir")).isEqualTo("/" + APP_ROOT.replace("/", ""));
        // Relative to the working directory, config/ is where the manifests source and Spring's config search look.
        assertThat(image.ourEntries()).extracting(Entry::path).noneMatch(path -> path.startsWith(APP_ROOT + "config"));
    }

    @Test
    void exposesTheListenersAndManagementPortsTheApplicationOpens() {
        Map<String, Object> app = yaml(APPLICATION_YAML);
        Set<String> applicationPorts = Set.of(
                path(app, "server", "port") + "/tcp",
                path(app, "ingress-gateway", "tls", "port") + "/tcp",
                path(app, "management", "server", "port") + "/tcp");

        assertThat(map(image.containerConfig(), "ExposedPorts").keySet())
                .containsExactlyInAnyOrderElementsOf(applicationPorts)
                .containsExactlyInAnyOrder("8080/tcp", "8443/tcp", "10254/tcp");
    }

    @Test
    void labelsSayWhatTheImageIsWhereItCameFromAndItsLicense() throws Exception {
        Map<String, String> pom = pomProject();
        Map<String, Object> labels = map(image.containerConfig(), "Labels");

        assertThat(labels).containsEntry("org.opencontainers.image.title", pom.get("name"))
                .containsEntry("org.opencontainers.image.description", pom.get("description"))
                .containsEntry("org.opencontainers.image.version", pom.get("version"));
        assertThat((String) labels.get("org.opencontainers.image.source")).startsWith("https://");
        assertThat((String) labels.get("org.opencontainers.image.revision")).isNotBlank();
        assertThat((String) labels.get("org.opencontainers.image.licenses")).isNotBlank();
    }

    @Test
    void dependenciesShipInLayersApartFromTheProjectsOwnClassesAndResources() {
        // The base's layers come first, untouched.
        assertThat(image.diffIds().subList(0, baseDiffIds.size())).isEqualTo(baseDiffIds);

        Map<String, List<Layer>> byKind = new LinkedHashMap<>();
        for (Layer layer : image.ourLayers()) {
            Set<String> kinds = layer.entries().stream().filter(entry -> !entry.isDirectory())
                    .map(entry -> kind(entry.path())).collect(Collectors.toCollection(TreeSet::new));
            assertThat(kinds).as("kinds of files in one layer").hasSize(1);
            byKind.computeIfAbsent(kinds.iterator().next(), kind -> new ArrayList<>()).add(layer);
        }
        assertThat(byKind.keySet()).containsExactlyInAnyOrder("libs", "classes", "resources", "jib launch files");
        assertThat(byKind.get("classes")).hasSize(1);
        assertThat(byKind.get("resources")).hasSize(1);

        // A code change rebuilds the classes (and perhaps resources) layer only: a small fraction of the image.
        long dependencies = byKind.get("libs").stream().mapToLong(Layer::compressedSize).sum();
        long ownCode = byKind.get("classes").get(0).compressedSize() + byKind.get("resources").get(0).compressedSize();
        assertThat(ownCode).isLessThan(dependencies / 10);

        List<String> jars = image.ourEntries().stream().map(Entry::path).filter(path -> path.startsWith("app/libs/"))
                .filter(path -> !path.endsWith("/")).map(path -> path.substring("app/libs/".length())).toList();
        assertThat(jars).anyMatch(jar -> jar.startsWith("spring-cloud-gateway-server-webflux-"))
                .anyMatch(jar -> jar.startsWith("netty-transport-native-epoll-") && jar.contains("linux-x86_64"))
                .noneMatch(jar -> BUILD_AND_TEST_ONLY.stream().anyMatch(jar::startsWith));

        // The launch classpath: own resources and classes first, then every jar, each of them in the image.
        List<String> classpath = Arrays.asList(image.file("app/jib-classpath-file").text().strip().split(":"));
        assertThat(classpath.subList(0, 2)).containsExactly("/app/resources", "/app/classes");
        assertThat(classpath.subList(2, classpath.size()))
                .containsExactlyInAnyOrderElementsOf(jars.stream().map(jar -> "/app/libs/" + jar).toList());
    }

    @Test
    void layersOfOursWriteOnlyUnderTheApplicationRootAndCannotBeChangedByTheGateway() {
        for (Entry entry : image.ourEntries()) {
            assertThat(entry.path()).as("path in a layer of ours").startsWith(APP_ROOT);
            // Root-owned, writable by root alone: the gateway's user could not alter the application even with a
            // writable root file system.
            assertThat(entry.uid()).as("owner of %s", entry.path()).isZero();
            assertThat(entry.mode() & 0022).as("group/other write bits of %s", entry.path()).isZero();
            assertThat(entry.type()).as("type of %s", entry.path()).isIn(Entry.FILE, Entry.DIRECTORY);
        }
    }

    @Test
    void chartInstallsByDefaultTheImageThisBuildNamesAsItsUser() throws Exception {
        Map<String, Object> deployment = renderChartDefaults().stream()
                .filter(document -> "Deployment".equals(document.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> podSpec = map(map(map(deployment, "spec"), "template"), "spec");
        Map<String, Object> container = maps(podSpec, "containers").stream()
                .filter(c -> "ingress-gateway".equals(c.get("name"))).findFirst().orElseThrow();
        String[] user = ((String) image.containerConfig().get("User")).split(":");

        assertThat(image.repoTags()).containsExactly((String) container.get("image"));
        String tag = image.repoTags().get(0).substring(image.repoTags().get(0).lastIndexOf(':') + 1);
        assertThat(tag).isEqualTo(yaml(CHART.resolve("Chart.yaml")).get("appVersion"))
                .isEqualTo(pomProject().get("version").replaceFirst("-SNAPSHOT$", ""));
        assertThat(map(podSpec, "securityContext"))
                .containsEntry("runAsUser", Integer.parseInt(user[0]))
                .containsEntry("runAsGroup", Integer.parseInt(user[1]));
        // The chart's JAVA_TOOL_OPTIONS replaces the image's: it must keep every one of the image's flags (and may add
        // its own, such as the processor count its CPU request implies).
        String imageFlags = (String) image.environment().get("JAVA_TOOL_OPTIONS");
        String chartFlags = maps(container, "env").stream().filter(env -> "JAVA_TOOL_OPTIONS".equals(env.get("name")))
                .map(env -> (String) env.get("value")).findFirst().orElse(imageFlags);
        assertThat(List.of(chartFlags.split("\\s+"))).containsAll(List.of(imageFlags.split("\\s+")));
    }

    // --- the image, read as a container runtime reads a `docker save` archive ---

    private record Layer(String diffId, long compressedSize, List<Entry> entries) {
    }

    private record Image(List<String> repoTags, Map<String, Object> config, List<Layer> layers) {

        @SuppressWarnings("unchecked")
        static Image read(Path archive) throws IOException {
            Map<String, Entry> members;
            try (InputStream in = Files.newInputStream(archive)) {
                members = Tar.read(in, Long.MAX_VALUE).stream()
                        .collect(Collectors.toMap(Entry::path, Function.identity()));
            }
            JsonMapper json = JsonMapper.builder().build();
            List<Map<String, Object>> manifests = json.readValue(members.get("manifest.json").content(), List.class);
            assertThat(manifests).as("images in %s", archive).hasSize(1);
            Map<String, Object> manifest = manifests.get(0);
            Map<String, Object> config = json.readValue(members.get((String) manifest.get("Config")).content(),
                    Map.class);
            List<String> diffIds = (List<String>) map(config, "rootfs").get("diff_ids");
            List<String> layerFiles = (List<String>) manifest.get("Layers");
            assertThat(layerFiles).as("layers in the manifest and in the configuration").hasSameSizeAs(diffIds);

            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < layerFiles.size(); i++) {
                byte[] blob = members.get(layerFiles.get(i)).content();
                layers.add(new Layer(diffIds.get(i), blob.length, readLayer(blob, diffIds.get(i))));
            }
            return new Image((List<String>) manifest.get("RepoTags"), config, layers);
        }

        /** A layer's entries; a runtime refuses a layer whose uncompressed digest is not its diff id, so do we. */
        private static List<Entry> readLayer(byte[] blob, String diffId) throws IOException {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            InputStream raw = new ByteArrayInputStream(blob);
            boolean gzipped = blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b;
            try (DigestInputStream in = new DigestInputStream(gzipped ? new GZIPInputStream(raw) : raw, sha256)) {
                List<Entry> entries = Tar.read(in, KEEP_CONTENT_UP_TO);
                in.transferTo(OutputStream.nullOutputStream());
                assertThat("sha256:" + HexFormat.of().formatHex(sha256.digest())).as("layer diff id").isEqualTo(diffId);
                return entries;
            }
        }

        List<String> diffIds() {
            return layers.stream().map(Layer::diffId).toList();
        }

        Map<String, Object> containerConfig() {
            return map(config, "config");
        }

        @SuppressWarnings("unchecked")
        List<String> entrypoint() {
            return (List<String>) containerConfig().get("Entrypoint");
        }

        @SuppressWarnings("unchecked")
        Map<String, String> environment() {
            return ((List<String>) containerConfig().get("Env")).stream()
                    .collect(Collectors.toMap(e -> e.substring(0, e.indexOf('=')), e -> e.substring(e.indexOf('=') + 1)));
        }

        /** The layers Jib added onto the base. */
        List<Layer> ourLayers() {
            return layers.subList(baseDiffIds.size(), layers.size());
        }

        List<Entry> ourEntries() {
            return ourLayers().stream().flatMap(layer -> layer.entries().stream()).toList();
        }

        /** The file at {@code path} as the container sees it: the last layer writing it wins. */
        Entry file(String path) {
            Entry found = null;
            for (Layer layer : layers) {
                for (Entry entry : layer.entries()) {
                    if (entry.path().equals(path)) {
                        found = entry;
                    }
                }
            }
            assertThat(found).as("file %s in the image", path).isNotNull();
            return found;
        }
    }

    /** What a layer file is for, by where Jib puts it under the application root. */
    private static String kind(String path) {
        assertThat(path).startsWith(APP_ROOT);
        String rest = path.substring(APP_ROOT.length());
        return switch (rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest) {
            case "libs" -> "libs";
            case "classes" -> "classes";
            case "resources" -> "resources";
            case "jib-classpath-file", "jib-main-class-file" -> "jib launch files";
            default -> "unexpected: " + path;
        };
    }

    // --- the sources the image must agree with ---

    private static Map<String, String> pomProject() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile())
                .getDocumentElement();
        Map<String, String> values = new LinkedHashMap<>();
        for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element element && Set.of("version", "name", "description").contains(element.getTagName())) {
                values.put(element.getTagName(), element.getTextContent().strip());
            }
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> renderChartDefaults() {
        String rendered = new Helm(CHART).template().withName("edge").withNamespace("gateway-system").call();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        return StreamSupport.stream(yaml.loadAll(rendered).spliterator(), false)
                .filter(Objects::nonNull).map(document -> (Map<String, Object>) document).toList();
    }

    private static Map<String, Object> yaml(Path file) {
        try {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    private static Object path(Map<String, Object> root, String... keys) {
        Map<String, Object> at = root;
        for (int i = 0; i < keys.length - 1; i++) {
            at = map(at, keys[i]);
        }
        Object value = at.get(keys[keys.length - 1]);
        assertThat(value).as(String.join(".", keys)).isNotNull();
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }
}
