package io.ingressgateway.source;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which Secrets and ConfigMaps an Ingress's annotations name, as {@code namespace/name}: what a cluster source must
 * read (and the only Secrets beside TLS ones it keeps). A pure function of the annotations, read in both spellings
 * ({@value #NGINX_PREFIX} and {@value #OUR_PREFIX}); a bare name is in the Ingress's namespace.
 *
 * <p>Only references the translator may use are returned, so nothing is read that would be refused anyway:
 * {@code auth-secret}, {@code proxy-ssl-secret}, {@code custom-headers} and {@code auth-proxy-set-headers} are read
 * from the Ingress's own namespace only (a reference elsewhere is a diagnostic of the translator), while
 * {@code auth-tls-secret} may name another namespace, as ingress-nginx allows. Either way, only watched namespaces
 * are ever read.
 */
public final class AnnotationReferences {

    public static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";
    public static final String OUR_PREFIX = "ingress-gateway.io/";

    /** Annotations naming a Secret of the Ingress's own namespace. */
    static final Set<String> OWN_NAMESPACE_SECRETS = Set.of("auth-secret", "proxy-ssl-secret");
    /** Annotations naming a Secret of any (watched) namespace. */
    static final Set<String> ANY_NAMESPACE_SECRETS = Set.of("auth-tls-secret");
    /** Annotations naming a ConfigMap of the Ingress's own namespace. */
    static final Set<String> OWN_NAMESPACE_CONFIG_MAPS = Set.of("custom-headers", "auth-proxy-set-headers");

    private AnnotationReferences() {
    }

    /** {@code namespace/name} of a reference written as {@code name} or {@code namespace/name}. */
    public static String qualified(String reference, String namespace) {
        String trimmed = reference.trim();
        return trimmed.indexOf('/') >= 0 ? trimmed : namespace + "/" + trimmed;
    }

    /** The Secrets the Ingress's annotations name and the gateway may read, as {@code namespace/name}. */
    public static Set<String> secrets(Ingress ingress) {
        Set<String> names = new TreeSet<>();
        collect(ingress, OWN_NAMESPACE_SECRETS, true, names);
        collect(ingress, ANY_NAMESPACE_SECRETS, false, names);
        return names;
    }

    /** The ConfigMaps the Ingress's annotations name and the gateway may read, as {@code namespace/name}. */
    public static Set<String> configMaps(Ingress ingress) {
        Set<String> names = new TreeSet<>();
        collect(ingress, OWN_NAMESPACE_CONFIG_MAPS, true, names);
        return names;
    }

    private static void collect(Ingress ingress, Set<String> keys, boolean ownNamespaceOnly, Set<String> into) {
        if (ingress == null || ingress.getMetadata() == null || ingress.getMetadata().getAnnotations() == null) {
            return;
        }
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        String namespace = Objects.requireNonNullElse(ingress.getMetadata().getNamespace(), "default");
        for (String key : keys) {
            // Both spellings: the translator falls back to ingress-nginx's when ours cannot be read.
            for (String value : new String[] {annotations.get(OUR_PREFIX + key), annotations.get(NGINX_PREFIX + key)}) {
                if (value == null || value.isBlank()) {
                    continue;
                }
                String name = qualified(value, namespace);
                int slash = name.indexOf('/');
                if (slash <= 0 || slash != name.lastIndexOf('/') || slash == name.length() - 1
                        || (ownNamespaceOnly && !name.substring(0, slash).equals(namespace))) {
                    continue;
                }
                into.add(name);
            }
        }
    }
}
