package io.ingressgateway.translate;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.CustomHeadersPolicy;
import io.ingressgateway.source.AnnotationReferences;
import io.ingressgateway.translate.annotations.AnnotationReader;
import io.ingressgateway.translate.annotations.CustomHeadersAnnotations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Puts the headers of an Ingress's {@code custom-headers} ConfigMap into its {@link CustomHeadersPolicy}, checking each
 * as ingress-nginx does: a name of letters, digits, {@code -} and {@code _}; a value of printable ASCII (its text sent
 * as is, never interpreted). As in ingress-nginx, a missing ConfigMap, one in another namespace, or any invalid entry
 * denies the route (503) rather than serving it with some headers missing.
 *
 * <p>ingress-nginx also requires each name in its global {@code global-allowed-response-headers} list; here the
 * headers that would break the response's framing or connection handling ({@link #REFUSED}) are refused instead, and
 * any other name is allowed.
 */
final class CustomHeaderConfigMaps {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,256}");
    private static final Pattern VALUE = Pattern.compile("[\\x20-\\x7e]{1,8192}");
    /** Set by the HTTP layer from the body and the connection: a ConfigMap must never override them. */
    static final Set<String> REFUSED = Set.of("connection", "content-length", "transfer-encoding", "keep-alive",
            "upgrade", "te", "trailer", "proxy-connection", "host");

    private CustomHeaderConfigMaps() {
    }

    /**
     * Whether what was read from an Ingress depends on the ConfigMaps: also when its ConfigMap was missing or unusable,
     * so that its arrival or repair is seen.
     */
    static boolean readsConfigMaps(IngressRules.Extracted extracted) {
        return extracted.policies().get(CustomHeadersPolicy.class) != null;
    }

    /**
     * What a ConfigMap of headers gives: its {@code namespace/name}, its headers (sorted by name) when every entry is
     * a valid header, else the first problem (and no headers).
     */
    record Read(String name, Map<String, String> headers, String problem) {
    }

    /** Reads and checks the ConfigMap of headers {@code reference} names, which must be in {@code namespace}. */
    static Read read(String reference, String namespace, Map<String, ConfigMap> configMaps) {
        String name = AnnotationReferences.qualified(reference, namespace);
        if (!name.startsWith(namespace + "/")) {
            return new Read(name, Map.of(), "ConfigMap " + name + " is not in the Ingress's namespace " + namespace
                    + "; only ConfigMaps of the Ingress's own namespace are read");
        }
        ConfigMap configMap = configMaps.get(name);
        if (configMap == null) {
            return new Read(name, Map.of(), "ConfigMap " + name + " not found");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        // Sorted by name, so equal ConfigMaps give equal policies whatever order their data came in.
        Map<String, String> data = configMap.getData() == null ? Map.of() : new TreeMap<>(configMap.getData());
        for (Map.Entry<String, String> entry : data.entrySet()) {
            String header = entry.getKey();
            String value = entry.getValue() == null ? "" : entry.getValue();
            String problem = null;
            if (header == null || !NAME.matcher(header).matches()) {
                problem = "ConfigMap " + name + " has a key that is not a header name (letters, digits, - and _)";
            } else if (REFUSED.contains(header.toLowerCase(Locale.ROOT))) {
                problem = "ConfigMap " + name + " sets " + header + ", which the gateway sets itself";
            } else if (!VALUE.matcher(value).matches()) {
                problem = "ConfigMap " + name + " has a value for " + header + " that is not printable ASCII"
                        + " (1 to 8192 characters)";
            }
            if (problem != null) {
                return new Read(name, Map.of(), problem);
            }
            headers.put(header, value);
        }
        return new Read(name, headers, null);
    }

    static IngressRules.Extracted resolve(IngressRules.Extracted extracted, Map<String, String> annotations,
                                          String namespace, Map<String, ConfigMap> configMaps) {
        CustomHeadersPolicy policy = extracted.policies().get(CustomHeadersPolicy.class);
        if (policy == null || policy.problem() != null) {
            return extracted;
        }
        Read read = read(policy.configMap(), namespace, configMaps);
        String name = read.name();
        String problem = read.problem();
        Map<String, String> headers = read.headers();
        List<Diagnostic> diagnostics = extracted.diagnostics();
        CustomHeadersPolicy resolved;
        if (problem == null) {
            resolved = policy.withHeaders(name, headers);
        } else {
            diagnostics = new ArrayList<>(diagnostics);
            String key = new AnnotationReader(annotations, diagnostics).keyOf(CustomHeadersAnnotations.CONFIG_MAP);
            diagnostics.add(Diagnostic.warning(AnnotationReader.field(key), problem + "; every request of this"
                    + " Ingress is refused (503), as ingress-nginx denies it"));
            resolved = policy.unusable(problem);
        }
        return new IngressRules.Extracted(extracted.candidates(), extracted.defaultUpstreamKey(), diagnostics,
                extracted.policies().with(resolved));
    }
}
