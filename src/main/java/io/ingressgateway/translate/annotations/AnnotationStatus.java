package io.ingressgateway.translate.annotations;

import static io.ingressgateway.translate.annotations.AnnotationReader.NGINX_PREFIX;
import static io.ingressgateway.translate.annotations.AnnotationReader.OUR_PREFIX;

import io.ingressgateway.model.Diagnostic;
import java.util.Set;

/**
 * What the gateway does with one annotation key, and why, in words an Ingress's author can act on.
 *
 * @param key         the full key
 * @param support     its class
 * @param explanation what the gateway does with it, phrased to follow the key and its class
 */
public record AnnotationStatus(String key, AnnotationSupport support, String explanation) {

    /**
     * The status of a key under either prefix, given the keys the families declare; null for any other key.
     *
     * @param served every key some family declares
     */
    static AnnotationStatus of(String key, Set<String> served) {
        if (key == null || !isOurs(key)) {
            return null;
        }
        boolean nginx = key.startsWith(NGINX_PREFIX);
        String name = shortName(key);
        if (NginxAnnotationCatalog.isSnippet(name)) {
            NginxAnnotationCatalog.Entry snippet = NginxAnnotationCatalog.entry(name);
            return new AnnotationStatus(key, AnnotationSupport.REFUSED_FOR_SECURITY, snippet != null ? snippet.note()
                    : "a snippet of nginx configuration is never evaluated, whatever it says; nothing of it applies");
        }
        if (served.contains(key)) {
            return new AnnotationStatus(key, AnnotationSupport.SERVED, "read by the gateway");
        }
        NginxAnnotationCatalog.Entry entry = NginxAnnotationCatalog.entry(name);
        if (nginx && entry != null) {
            String known = entry.documented() ? "ingress-nginx documents it"
                    : "ingress-nginx " + NginxAnnotationCatalog.RELEASE + " reads it, though its reference does not"
                            + " list it";
            return switch (entry.unserved()) {
                case NO_EFFECT -> new AnnotationStatus(key, AnnotationSupport.NO_EFFECT, "accepted, nothing to do:"
                        + " " + entry.note());
                case UNSUPPORTED -> new AnnotationStatus(key, AnnotationSupport.UNSUPPORTED, known + " but the"
                        + " gateway does not do it; ignored, " + entry.note());
                default -> new AnnotationStatus(key, entry.unserved(), entry.note());
            };
        }
        if (nginx) {
            String retired = NginxAnnotationCatalog.RETIRED.get(name);
            return new AnnotationStatus(key, AnnotationSupport.UNKNOWN, "not an annotation of ingress-nginx "
                    + NginxAnnotationCatalog.RELEASE + ", which ignores it too"
                    + (retired == null ? "" : " (" + retired + ")") + "; ignored here");
        }
        return new AnnotationStatus(key, AnnotationSupport.UNKNOWN, "no annotation of the gateway has this name"
                + ourTwinHint(name, served) + "; ignored");
    }

    /** What ingress-nginx's key of the same name is here, for a mistyped or guessed key of ours. */
    private static String ourTwinHint(String name, Set<String> served) {
        if (served.contains(NGINX_PREFIX + name)) {
            return " (" + NGINX_PREFIX + name + " is served, under that spelling only)";
        }
        NginxAnnotationCatalog.Entry entry = NginxAnnotationCatalog.entry(name);
        if (entry != null) {
            return " (" + NGINX_PREFIX + name + " is " + entry.unserved().label() + " here)";
        }
        return "";
    }

    /** Whether the key is under ingress-nginx's prefix or ours: the keys the gateway accounts for. */
    public static boolean isOurs(String key) {
        return key.startsWith(NGINX_PREFIX) || key.startsWith(OUR_PREFIX);
    }

    /** Whether the full key, under either prefix, is a snippet of nginx configuration. */
    public static boolean isSnippet(String key) {
        return isOurs(key) && NginxAnnotationCatalog.isSnippet(shortName(key));
    }

    /** The key without its prefix. */
    public static String shortName(String key) {
        if (key.startsWith(NGINX_PREFIX)) {
            return key.substring(NGINX_PREFIX.length());
        }
        return key.startsWith(OUR_PREFIX) ? key.substring(OUR_PREFIX.length()) : key;
    }

    /** Whether the Ingress is served as its author meant with this key: only a served key is. */
    public boolean served() {
        return support == AnnotationSupport.SERVED;
    }

    /** The warning on an Ingress carrying the key (not for a served key, whose family reports its own problems). */
    public Diagnostic diagnostic() {
        return Diagnostic.warning(AnnotationReader.field(key), key + " (" + support.label() + "): " + explanation);
    }
}
