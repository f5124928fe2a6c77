package io.ingressgateway.translate.annotations;

import io.ingressgateway.model.Diagnostic;
import io.ingressgateway.model.policy.ServerAliasPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code server-alias} annotation, as ingress-nginx reads it: a comma separated list of extra host names served
 * with the same paths as the Ingress's rule hosts. This family only splits the list; the translator checks each name
 * as a host (as it checks rule hosts), against host ownership, and against other Ingresses' hosts, which take
 * precedence over an alias as in ingress-nginx. nginx's regular-expression server names ({@code ~^...}) are refused.
 */
public final class ServerAliasAnnotations implements AnnotationFamily<ServerAliasPolicy> {

    public static final String SERVER_ALIAS = "server-alias";

    private static final Set<String> ANNOTATIONS = AnnotationReader.bothSpellings(SERVER_ALIAS);
    /** Far above real use; keeps a pasted blob from multiplying an Ingress's routes. */
    static final int MAX_ALIASES = 64;

    @Override
    public String name() {
        return "server alias";
    }

    @Override
    public Set<String> annotations() {
        return ANNOTATIONS;
    }

    @Override
    public Parsed<ServerAliasPolicy> parse(Map<String, String> annotations) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        AnnotationReader reader = new AnnotationReader(annotations, diagnostics);
        String key = reader.keyOf(SERVER_ALIAS);
        List<String> names = reader.read(SERVER_ALIAS, ServerAliasAnnotations::names);
        return new Parsed<>(names == null ? null : new ServerAliasPolicy(names, key), diagnostics);
    }

    /** The comma separated names, trimmed and in lower case, empty items and repeats dropped. */
    static List<String> names(String value) throws AnnotationReader.Invalid {
        Set<String> names = new LinkedHashSet<>();
        for (String item : value.split(",", -1)) {
            String name = item.trim().toLowerCase(Locale.ROOT);
            if (name.startsWith("~")) {
                throw new AnnotationReader.Invalid("has a regular-expression name ('" + item.trim() + "'), which"
                        + " the gateway does not serve");
            }
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw new AnnotationReader.Invalid("names no host");
        }
        if (names.size() > MAX_ALIASES) {
            throw new AnnotationReader.Invalid("names more than " + MAX_ALIASES + " hosts");
        }
        return List.copyOf(names);
    }
}
