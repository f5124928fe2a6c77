package io.ingressgateway.translate.annotations;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code docs/annotations.md}: every ingress-nginx annotation and what the gateway does with it, written from the
 * registry ({@link AnnotationFamilies}) and the catalogue ({@link NginxAnnotationCatalog}) so that the document says
 * what the code does. Pure: the text only; {@code AnnotationsDocTest} compares it with the file and rewrites it.
 */
public final class AnnotationCompatibilityTable {

    /** The command that rewrites the document, as the document itself states it. */
    public static final String REGENERATE = "./mvnw -B test -Dtest=AnnotationsDocTest -Dannotations.doc.write=true";

    private AnnotationCompatibilityTable() {
    }

    /** The whole document for the given registry. */
    public static String markdown(AnnotationFamilies families) {
        List<NginxAnnotationCatalog.Entry> entries = NginxAnnotationCatalog.entries().stream()
                .sorted((a, b) -> a.name().compareTo(b.name())).toList();
        Map<AnnotationSupport, Integer> counts = new EnumMap<>(AnnotationSupport.class);
        StringBuilder rows = new StringBuilder();
        for (NginxAnnotationCatalog.Entry entry : entries) {
            String key = AnnotationReader.NGINX_PREFIX + entry.name();
            AnnotationStatus status = families.status(key);
            counts.merge(status.support(), 1, Integer::sum);
            String twin = AnnotationReader.OUR_PREFIX + entry.name();
            boolean twinServed = families.status(twin).served();
            String what = status.served() ? "served by the " + families.familyOf(key) + " family" : entry.note();
            rows.append("| `").append(key).append('`').append(entry.documented() ? "" : " *")
                    .append(" | ").append(status.support().label())
                    .append(" | ").append(twinServed ? "`" + twin + "`" : "")
                    .append(" | ").append(what).append(" |\n");
        }
        StringBuilder doc = new StringBuilder();
        doc.append("# Annotations: what the gateway does with ingress-nginx's\n\n");
        doc.append("<!-- Generated from NginxAnnotationCatalog and AnnotationFamilies.ALL; do not edit. Regenerate with:\n");
        doc.append("     ").append(REGENERATE).append(" -->\n\n");
        doc.append("Every annotation ingress-nginx ").append(NginxAnnotationCatalog.RELEASE)
                .append(" knows, and its status here. An Ingress keeps being served whatever it carries; each key")
                .append(" under `").append(AnnotationReader.NGINX_PREFIX).append("` or `")
                .append(AnnotationReader.OUR_PREFIX).append("` that is not served is a warning diagnostic on its")
                .append(" Ingress (log, Event, `/actuator/ingresses`) naming the key, its status and what the gateway")
                .append(" does instead.\n\n");
        doc.append("| Status | Meaning |\n|---|---|\n");
        doc.append("| served | An annotation family reads it. Its twin under `").append(AnnotationReader.OUR_PREFIX)
                .append("` (same name), when listed, wins over the ingress-nginx spelling. An invalid value is a")
                .append(" warning and that setting keeps its default. |\n");
        doc.append("| no effect | Accepted; nothing a client or an upstream could observe would change if it were")
                .append(" applied (the reason is given). |\n");
        doc.append("| refused for security | A snippet of nginx configuration: never evaluated, whatever it says.")
                .append(" So is any other `*-snippet` key. |\n");
        doc.append("| unsupported | Not done here (yet): requests are served as if it were absent; the table says")
                .append(" what happens instead. |\n");
        doc.append("| unknown | Not an annotation of ingress-nginx ").append(NginxAnnotationCatalog.RELEASE)
                .append(" (invented, or removed long ago): ingress-nginx ignores it too. |\n\n");
        doc.append("Counts: ");
        boolean first = true;
        for (AnnotationSupport support : AnnotationSupport.values()) {
            Integer count = counts.get(support);
            if (count != null) {
                doc.append(first ? "" : ", ").append(support.label()).append(' ').append(count);
                first = false;
            }
        }
        doc.append(" (of ").append(entries.size()).append(").\n\n");
        doc.append("## ingress-nginx annotations\n\n");
        doc.append("Keys marked * are read by ingress-nginx ").append(NginxAnnotationCatalog.RELEASE)
                .append(" although its annotations reference does not list them.\n\n");
        doc.append("| Annotation | Status here | Our twin | What the gateway does |\n|---|---|---|---|\n");
        doc.append(rows);
        doc.append("\n## Annotations of our own\n\n");
        doc.append("Every `").append(AnnotationReader.OUR_PREFIX).append("` key the gateway reads (README.md's")
                .append(" annotation section says what each does). Any other key under that prefix is a warning.\n\n");
        doc.append("| Annotation | Family |\n|---|---|\n");
        for (String key : new TreeSet<>(families.served())) {
            if (key.startsWith(AnnotationReader.OUR_PREFIX)) {
                doc.append("| `").append(key).append("` | ").append(families.familyOf(key)).append(" |\n");
            }
        }
        doc.append("\n## Retired ingress-nginx annotations\n\n");
        doc.append("Still seen on old Ingresses; ingress-nginx ignores them, and the gateway reports them as unknown")
                .append(" unless it serves them again (status served).\n\n");
        doc.append("| Annotation | Status here | History |\n|---|---|---|\n");
        for (String name : new TreeSet<>(NginxAnnotationCatalog.RETIRED.keySet())) {
            String key = AnnotationReader.NGINX_PREFIX + name;
            doc.append("| `").append(key).append("` | ").append(families.status(key).support().label())
                    .append(" | ").append(NginxAnnotationCatalog.RETIRED.get(name)).append(" |\n");
        }
        return doc.toString();
    }
}
