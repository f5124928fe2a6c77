package io.ingressgateway.migration;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.ExternalNamePolicy;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.IngressReport;
import io.ingressgateway.model.PathMatch;
import io.ingressgateway.model.Route;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.model.VirtualHost;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.source.ManifestParser;
import io.ingressgateway.translate.IngressTranslator;
import io.ingressgateway.translate.TranslatorSettings;
import io.ingressgateway.translate.annotations.AnnotationFamilies;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.AnnotationStatus;
import io.ingressgateway.translate.annotations.AnnotationSupport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The migration check: reads the output of {@code kubectl get ingress,service,secret -A -o yaml} (or any file or
 * directory of manifests), translates every Ingress as the gateway would serve it, whatever its class, and prints, for
 * each, what becomes of each annotation and every other difference from ingress-nginx. Needs no cluster and no Spring:
 * the same parser and translator as the controller.
 *
 * <p>Exit code 0 when every Ingress would be served as ingress-nginx serves it, 1 when some would behave differently,
 * 2 when the input cannot be read.
 */
public final class MigrationCheck {

    public static final int SAME = 0;
    public static final int DIFFERS = 1;
    public static final int UNREADABLE = 2;

    /** The class every Ingress is checked under: the question is how the gateway would serve it, not whether. */
    private static final String CLASS = "ingress-gateway";
    private static final String CONTROLLER = "ingress-gateway.io/controller";
    private static final String IMPLEMENTATION_SPECIFIC = "ImplementationSpecific";

    /**
     * One thing about one Ingress.
     *
     * @param subject the annotation key or the field
     * @param status  served, no effect, refused for security, unsupported, unknown, invalid value, or differs
     * @param differs whether a request could be served differently from ingress-nginx because of it
     */
    public record Finding(String subject, String status, String detail, boolean differs) {
    }

    /** What the check says about one Ingress. */
    public record Checked(String namespace, String name, List<Finding> findings) {

        public boolean differs() {
            return findings.stream().anyMatch(Finding::differs);
        }
    }

    private MigrationCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Checks the files named by {@code args}, prints the findings, and returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: MigrationCheck <file or directory>... (for example the output of"
                    + " kubectl get ingress,service,secret -A -o yaml)");
            return UNREADABLE;
        }
        List<HasMetadata> objects = new ArrayList<>();
        try {
            for (String arg : args) {
                objects.addAll(read(Path.of(arg)));
            }
        } catch (IOException e) {
            err.println("cannot read the manifests: " + e.getMessage());
            return UNREADABLE;
        }
        List<Checked> checked = check(objects);
        int differing = 0;
        for (Checked ingress : checked) {
            out.println(ingress.namespace() + "/" + ingress.name() + ": "
                    + (ingress.differs() ? "WOULD BEHAVE DIFFERENTLY" : "same behaviour"));
            for (Finding finding : ingress.findings()) {
                out.println("  " + (finding.differs() ? "! " : "  ") + finding.subject() + ": " + finding.status()
                        + (finding.detail().isEmpty() ? "" : " - " + finding.detail()));
            }
            differing += ingress.differs() ? 1 : 0;
        }
        out.println(checked.size() + " Ingresses checked, " + differing + " would behave differently behind the"
                + " gateway");
        return differing == 0 ? SAME : DIFFERS;
    }

    /** Every manifest in a file, or in the {@code .yaml}, {@code .yml} and {@code .json} files under a directory. */
    static List<HasMetadata> read(Path path) throws IOException {
        ManifestParser parser = new ManifestParser();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile).filter(file -> file.toString().matches(".*\\.(yaml|yml|json)$"))
                        .sorted().forEach(files::add);
            }
        } else {
            files.add(path);
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (Path file : files) {
            try {
                objects.addAll(parser.parse(Files.readAllBytes(file)));
            } catch (ManifestParser.InvalidManifestException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
        return objects;
    }

    /** Translates the objects as the gateway would and reports on every Ingress among them, by namespace and name. */
    public static List<Checked> check(List<HasMetadata> objects) {
        Map<String, Ingress> originals = new TreeMap<>();
        List<Ingress> ingresses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<ConfigMap> configMaps = new ArrayList<>();
        for (HasMetadata object : objects) {
            if (object instanceof Ingress ingress) {
                originals.put(id(ingress), ingress);
                ingresses.add(new IngressBuilder(ingress).editOrNewSpec().withIngressClassName(CLASS).endSpec()
                        .build());
            } else if (object instanceof Service service) {
                services.add(service);
            } else if (object instanceof EndpointSlice slice) {
                slices.add(slice);
            } else if (object instanceof Secret secret) {
                secrets.add(secret);
            } else if (object instanceof ConfigMap configMap) {
                configMaps.add(configMap);
            }
        }
        IngressClass ours = new IngressClassBuilder().withNewMetadata().withName(CLASS).endMetadata()
                .withNewSpec().withController(CONTROLLER).endSpec().build();
        IngressTranslator translator = new IngressTranslator(new TranslatorSettings(CLASS, CONTROLLER, "", "",
                ExternalNamePolicy.of(true, List.of(), List.of()), List.of(), false));
        RouteModel model = translator.translate(new ClusterSnapshot(ingresses, List.of(ours), services, slices,
                secrets, configMaps, 1));
        Map<String, IngressReport> reports = new HashMap<>();
        for (IngressReport report : model.ingresses()) {
            reports.put(report.ingress().namespace() + "/" + report.ingress().name(), report);
        }
        // The hosts each Ingress's paths are regular expressions on (use-regex or rewrite-target, on any Ingress of the
        // host): there ImplementationSpecific is a regex, as in ingress-nginx.
        Set<String> regexHosts = new HashSet<>();
        for (VirtualHost virtualHost : model.virtualHosts()) {
            for (Route route : virtualHost.routes()) {
                if (route.path().type() == PathMatch.Type.REGEX) {
                    regexHosts.add(route.ingress().namespace() + "/" + route.ingress().name() + " "
                            + virtualHost.host().pattern());
                }
            }
        }
        AnnotationFamilies families = AnnotationFamilies.standard();
        List<Checked> checked = new ArrayList<>();
        originals.forEach((id, ingress) -> {
            IngressReport report = reports.get(id);
            List<Diagnostic> diagnostics = report == null ? List.of() : report.diagnostics();
            checked.add(new Checked(ingress.getMetadata().getNamespace(), ingress.getMetadata().getName(),
                    findings(ingress, diagnostics, families, host -> regexHosts.contains(id + " " + host))));
        });
        checked.sort(Comparator.comparing(Checked::namespace).thenComparing(Checked::name));
        return checked;
    }

    private static List<Finding> findings(Ingress ingress, List<Diagnostic> diagnostics, AnnotationFamilies families,
                                          Predicate<String> regexOn) {
        List<Finding> findings = new ArrayList<>();
        Map<String, String> annotations = ingress.getMetadata().getAnnotations() == null ? Map.of()
                : new TreeMap<>(ingress.getMetadata().getAnnotations());
        for (String key : annotations.keySet()) {
            AnnotationStatus status = families.status(key);
            if (status == null) {
                continue;
            }
            if (status.served()) {
                List<String> problems = diagnostics.stream()
                        .filter(diagnostic -> diagnostic.field().equals(AnnotationReader.field(key)))
                        .map(Diagnostic::message).toList();
                findings.add(problems.isEmpty() ? new Finding(key, "served", "", false)
                        : new Finding(key, "invalid value", String.join("; ", problems), true));
            } else {
                boolean differs = status.support() == AnnotationSupport.REFUSED_FOR_SECURITY
                        || status.support() == AnnotationSupport.UNSUPPORTED;
                findings.add(new Finding(key, status.support().label(), status.explanation(), differs));
            }
        }
        for (Diagnostic diagnostic : diagnostics) {
            if (!diagnostic.field().startsWith("metadata.annotations[")) {
                findings.add(new Finding(diagnostic.field(), "differs", diagnostic.message(), true));
            }
        }
        List<IngressRule> rules = ingress.getSpec() == null || ingress.getSpec().getRules() == null ? List.of()
                : ingress.getSpec().getRules();
        for (int i = 0; i < rules.size(); i++) {
            IngressRule rule = rules.get(i);
            List<HTTPIngressPath> paths = rule == null || rule.getHttp() == null || rule.getHttp().getPaths() == null
                    ? List.of() : rule.getHttp().getPaths();
            for (int j = 0; j < paths.size(); j++) {
                HTTPIngressPath path = paths.get(j);
                String host = rule.getHost() == null || rule.getHost().isEmpty() ? HostMatch.ANY.pattern()
                        : rule.getHost().toLowerCase(Locale.ROOT);
                if (path != null && IMPLEMENTATION_SPECIFIC.equals(path.getPathType()) && !regexOn.test(host)) {
                    findings.add(new Finding("spec.rules[" + i + "].http.paths[" + j + "]", "differs",
                            "ImplementationSpecific '" + path.getPath() + "' is an element-wise prefix here;"
                                    + " ingress-nginx matches it as a string prefix (/foo also matches /foobar)"
                                    + " or, with use-regex, as a regular expression", true));
                }
            }
        }
        return findings;
    }

    private static String id(Ingress ingress) {
        return ingress.getMetadata().getNamespace() + "/" + ingress.getMetadata().getName();
    }
}
