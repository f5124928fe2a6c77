package io.ingressgateway.translate;

import io.ingressgateway.model.HostMatch;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which namespaces may claim which hosts ({@code ingress-gateway.host-ownership}). Without rules every namespace may
 * claim every host, as in ingress-nginx. With rules, a host is decided by its most specific covering pattern, as DNS
 * delegation is: an exact name, else the longest {@code *.suffix}, else {@code *}; the namespaces listed for that
 * pattern (in every rule naming it) may claim the host, no other may, and a host no pattern covers is claimed by none.
 * So {@code {team-a: *.team-a.example.com}, {*: *}} reserves team-a's domain and leaves the rest to everyone.
 *
 * <p>An Ingress wildcard host ({@code *.example.com}, one label) is allowed only when the namespace may claim the
 * wildcard as a whole: the most specific pattern covering all of it ({@code *.example.com}, {@code *.com} or
 * {@code *}) allows the namespace, and so does every exact pattern the wildcard would match (a wildcard never takes
 * an exact name owned by someone else). A rule without a host, and a {@code spec.defaultBackend} taking requests that
 * match no host, answer for every host nobody serves: they need {@code *}.
 *
 * <p>Settled per Ingress, by its namespace alone: an Ingress never changes what another may claim.
 */
final class HostOwnership {

    /** Every namespace may claim every host: no rules configured. */
    static final HostOwnership UNRESTRICTED = new HostOwnership(Map.of());

    private static final String ANY = "*";
    private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern NAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    private static final Pattern NAMESPACE = Pattern.compile(LABEL);

    /** Namespaces allowed by each pattern: {@code *}, {@code *.suffix} or an exact name; {@code *} among them for all. */
    private final Map<String, Set<String>> allowed;

    private HostOwnership(Map<String, Set<String>> allowed) {
        this.allowed = allowed;
    }

    /**
     * The ownership the rules describe.
     *
     * @throws IllegalArgumentException for a host pattern or namespace that is not valid, or a rule missing either
     */
    static HostOwnership of(List<HostOwnershipRule> rules) {
        if (rules == null || rules.isEmpty()) {
            return UNRESTRICTED;
        }
        Map<String, Set<String>> allowed = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            HostOwnershipRule rule = rules.get(i);
            String where = "ingress-gateway.host-ownership[" + i + "]";
            if (rule == null || rule.namespaces().isEmpty() || rule.hosts().isEmpty()) {
                throw new IllegalArgumentException(where + " must list namespaces and hosts");
            }
            Set<String> namespaces = new HashSet<>();
            for (String namespace : rule.namespaces()) {
                String ns = namespace == null ? "" : namespace.trim();
                if (!ns.equals(ANY) && !NAMESPACE.matcher(ns).matches()) {
                    throw new IllegalArgumentException(where + ".namespaces: '" + namespace + "' is neither a"
                            + " namespace name nor '*'");
                }
                namespaces.add(ns);
            }
            for (String host : rule.hosts()) {
                String pattern = host == null ? "" : host.trim().toLowerCase(Locale.ROOT);
                String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
                if (!pattern.equals(ANY) && !NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException(where + ".hosts: '" + host + "' is neither a host name,"
                            + " '*.suffix' nor '*'");
                }
                allowed.computeIfAbsent(pattern, p -> new HashSet<>()).addAll(namespaces);
            }
        }
        allowed.replaceAll((pattern, namespaces) -> Set.copyOf(namespaces));
        return new HostOwnership(Map.copyOf(allowed));
    }

    boolean unrestricted() {
        return allowed.isEmpty();
    }

    /** Why {@code namespace} may not claim {@code host}, or null when it may. */
    String refusal(String namespace, HostMatch host) {
        if (allowed.isEmpty()) {
            return null;
        }
        return switch (host.kind()) {
            case ANY -> refusalBy(namespace, allowed.containsKey(ANY) ? ANY : null,
                    "every host ('*', which a rule without host and a catch-all default backend need)");
            case EXACT -> refusalBy(namespace, decisivePattern(host.pattern()), host.pattern());
            case WILDCARD -> wildcardRefusal(namespace, host);
        };
    }

    /** Why {@code namespace} may not take requests matching no host with a {@code spec.defaultBackend}, or null. */
    String catchAllRefusal(String namespace) {
        return refusal(namespace, HostMatch.ANY);
    }

    private String wildcardRefusal(String namespace, HostMatch host) {
        String refusal = refusalBy(namespace, decisiveSuffixPattern(host.wildcardSuffix()), host.pattern());
        if (refusal != null) {
            return refusal;
        }
        for (Map.Entry<String, Set<String>> rule : allowed.entrySet()) {
            String pattern = rule.getKey();
            if (!pattern.startsWith("*") && host.matches(pattern) && !allows(rule.getValue(), namespace)) {
                return "the wildcard covers " + pattern + ", which only namespaces " + sorted(rule.getValue())
                        + " may claim";
            }
        }
        return null;
    }

    /** The most specific pattern covering an exact name, or null. */
    private String decisivePattern(String name) {
        if (allowed.containsKey(name)) {
            return name;
        }
        return decisiveSuffixPattern(name);
    }

    /**
     * The most specific {@code *.suffix} (or {@code *}) pattern covering every name that ends with {@code name}'s
     * parent domains: for {@code a.b.c} (or a suffix {@code .a.b.c}) tries {@code *.b.c}, {@code *.c}, then {@code *}.
     */
    private String decisiveSuffixPattern(String name) {
        String rest = name.startsWith(".") ? name.substring(1) : name;
        // A wildcard's own suffix counts: *.example.com is covered by a *.example.com rule.
        if (name.startsWith(".") && allowed.containsKey("*." + rest)) {
            return "*." + rest;
        }
        int dot = rest.indexOf('.');
        while (dot >= 0) {
            rest = rest.substring(dot + 1);
            if (allowed.containsKey("*." + rest)) {
                return "*." + rest;
            }
            dot = rest.indexOf('.');
        }
        return allowed.containsKey(ANY) ? ANY : null;
    }

    private String refusalBy(String namespace, String pattern, String what) {
        if (pattern == null) {
            return "no host ownership rule covers " + what;
        }
        Set<String> namespaces = allowed.get(pattern);
        if (allows(namespaces, namespace)) {
            return null;
        }
        return "host ownership rule '" + pattern + "' allows only namespaces " + sorted(namespaces);
    }

    private static boolean allows(Set<String> namespaces, String namespace) {
        return namespaces != null && (namespaces.contains(ANY) || namespaces.contains(namespace));
    }

    private static List<String> sorted(Set<String> namespaces) {
        return namespaces.stream().sorted().toList();
    }
}
