package io.ingressgateway.gateway.lookup;

import com.google.re2j.Pattern;
import io.ingressgateway.gateway.route.RequestHost;
import io.ingressgateway.gateway.route.RequestPath;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the target of a request with Kubernetes Ingress semantics, by index rather than by scanning every rule.
 *
 * <p>The virtual host is chosen first, from the Host header alone: the exact host, else the wildcard covering its first
 * label ({@code *.example.com} for {@code a.example.com}), else the any-host one. Only that virtual host's rules are
 * considered, and of those that match the path, the one added first wins (rules are added in precedence order); when
 * none matches, the request goes to the virtual host's default, else the table default, else not-found. A request
 * never falls through to a less specific virtual host: an exact host with no matching path does not reach the
 * wildcard's rules.
 *
 * <p>A host's rules are found by path through a hash index ({@link HostRules}), never by trying them one by one: the
 * cost of a lookup follows the number of path elements of the request, not the number of rules. The exception is a host
 * with regular-expression rules ({@link PathMatch.Type#REGEX}, ingress-nginx's {@code use-regex}): as in nginx, its
 * rules are tried in order and the first match wins, each expression in time linear in the path (RE2); only such
 * hosts pay for it.
 *
 * @param <T> what a lookup yields (a gateway route, or anything a test likes)
 */
public final class RouteTable<T> {

    private final Map<String, HostRules<T>> exactHosts;
    private final Map<String, HostRules<T>> wildcardHostsBySuffix;
    private final HostRules<T> anyHost;
    private final T defaultTarget;
    private final T notFound;

    private RouteTable(Builder<T> builder) {
        Map<String, HostRules<T>> exact = new HashMap<>();
        Map<String, HostRules<T>> wildcard = new HashMap<>();
        HostRules<T> any = null;
        for (Map.Entry<HostMatch, HostBuilder<T>> entry : builder.hosts.entrySet()) {
            HostRules<T> host = entry.getValue().build();
            switch (entry.getKey().kind()) {
                case EXACT -> exact.put(entry.getKey().pattern(), host);
                case WILDCARD -> wildcard.put(entry.getKey().wildcardSuffix(), host);
                case ANY -> any = host;
            }
        }
        this.exactHosts = Map.copyOf(exact);
        this.wildcardHostsBySuffix = Map.copyOf(wildcard);
        this.anyHost = any;
        this.defaultTarget = builder.defaultTarget;
        this.notFound = builder.notFound;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * The target for a request.
     *
     * @param hostHeader the Host header as received (any case, maybe with a port or a trailing dot), or null
     * @param rawPath    the request path without query, as received (normalised here, see {@link RequestPath})
     * @return the matching rule's target, else a default, else the not-found target (null when none was given); the
     *         not-found target for a path {@link RequestPath} refuses (the public listener answers those 400 before
     *         any lookup: this only keeps a refused path from matching a rule if one ever got here)
     */
    public T lookup(String hostHeader, String rawPath) {
        String path = RequestPath.normalize(rawPath);
        if (path == null) {
            return notFound;
        }
        HostRules<T> host = selectHost(RequestHost.normalize(hostHeader));
        if (host == null) {
            return defaultTarget != null ? defaultTarget : notFound;
        }
        T matched = host.find(path);
        if (matched != null) {
            return matched;
        }
        if (host.defaultTarget() != null) {
            return host.defaultTarget();
        }
        // An exact or wildcard host's unmatched requests never go to the default of requests matching no host (the
        // model gives the host the configured default backend when none of its Ingresses has one); the rules without
        // host are ingress-nginx's catch-all server, whose unmatched requests do.
        return host == anyHost && defaultTarget != null ? defaultTarget : notFound;
    }

    private HostRules<T> selectHost(String host) {
        HostRules<T> exact = exactHosts.get(host);
        if (exact != null) {
            return exact;
        }
        int dot = host.indexOf('.');
        if (dot > 0) {
            HostRules<T> wildcard = wildcardHostsBySuffix.get(host.substring(dot));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return anyHost;
    }

    /** Number of virtual hosts, for diagnostics. */
    public int hostCount() {
        return exactHosts.size() + wildcardHostsBySuffix.size() + (anyHost == null ? 0 : 1);
    }

    /** One rule of a host: a path and where requests matching it go. */
    public record Rule<T>(PathMatch path, T target) {

        public Rule {
            Objects.requireNonNull(path);
            Objects.requireNonNull(target);
        }
    }

    /**
     * One host's rules in precedence order and its default (null for none), indexed by path. Immutable, so one made for
     * a virtual host can go into the tables of later models for as long as that virtual host is unchanged
     * ({@link Builder#host}); its index is built once, with it.
     *
     * <p>The index is one open-addressing hash table of the rules' paths (exact and prefix alike), holding for each
     * distinct (type, path) the first rule that has it. A request path is looked up as a whole (for exact rules) and
     * cut at each path element boundary (for prefix rules, which match by element: {@link PathMatch}); the hashes of
     * all those cuts come from one pass over the path, and a cut is only probed when some prefix rule has its length.
     * Of the rules found, the one added first wins, exactly as trying the rules in order would choose.
     *
     * <p>Why not a list or a tree of objects: with requests spread over thousands of hosts, every object a lookup
     * touches is one no recent request has touched, so a fetch from memory. Trying a host's rules in order read a rule,
     * its path match, the path string and its characters for each rule tried; here a lookup reads a few slots of one
     * int array and the one path string that matched.
     */
    public static final class HostRules<T> {

        private static final int EMPTY = 0;
        private static final int EXACT_BIT = 1;

        private final List<Rule<T>> rules;
        private final T defaultTarget;
        /** Pairs of (path hash, 1 + (rule index << 1 | exact bit)); 0 marks an empty slot. Length a power of two. */
        private final int[] table;
        private final int mask;
        /** By rule index i: the rule's path at 2i and its target at 2i + 1, so a match reads one place for both. */
        private final Object[] entries;
        /** Bit n set: some prefix rule has a path of length n (n < 63); bit 63: some prefix rule is longer. */
        private final long prefixLengths;
        private final boolean anyExact;
        /** The first prefix rule for {@code /} (matches every path), or {@link Integer#MAX_VALUE}. */
        private final int rootPrefix;
        /**
         * For a host with regular-expression rules: each rule's compiled expression by rule index (null for a rule of
         * another type, or one that does not compile and so never matches); null for every other host.
         */
        private final Pattern[] regexes;

        public HostRules(List<Rule<T>> rules, T defaultTarget) {
            this.rules = List.copyOf(rules);
            this.defaultTarget = defaultTarget;
            int slots = Integer.highestOneBit(Math.max(2, this.rules.size()) * 2 - 1) << 1; // >= 2 x rules, power of 2
            this.table = new int[slots * 2];
            this.mask = slots - 1;
            this.entries = new Object[this.rules.size() * 2];
            long lengths = 0;
            boolean exact = false;
            int root = Integer.MAX_VALUE;
            Pattern[] compiled = null;
            for (int i = 0; i < this.rules.size(); i++) {
                PathMatch match = this.rules.get(i).path();
                String path = match.path();
                entries[2 * i] = path;
                entries[2 * i + 1] = this.rules.get(i).target();
                if (match.type() == PathMatch.Type.REGEX) {
                    compiled = compiled != null ? compiled : new Pattern[this.rules.size()];
                    compiled[i] = compile(match);
                    continue;
                }
                boolean isExact = match.type() == PathMatch.Type.EXACT;
                if (!isExact && path.equals("/")) {
                    root = Math.min(root, i);
                    continue;
                }
                if (probe(path.hashCode(), isExact, path, path.length()) != Integer.MAX_VALUE) {
                    continue; // an earlier rule has this type and path: it wins
                }
                insert(path.hashCode(), 1 + (i << 1 | (isExact ? EXACT_BIT : 0)));
                if (isExact) {
                    exact = true;
                } else {
                    lengths |= path.length() < 63 ? 1L << path.length() : 1L << 63;
                }
            }
            this.prefixLengths = lengths;
            this.anyExact = exact;
            this.rootPrefix = root;
            this.regexes = compiled;
        }

        /** The rule's expression, or null when it does not compile (the translator refuses those: never here). */
        private static Pattern compile(PathMatch match) {
            try {
                return match.regex();
            } catch (RuntimeException e) {
                return null;
            }
        }

        public List<Rule<T>> rules() {
            return rules;
        }

        public T defaultTarget() {
            return defaultTarget;
        }

        /** The target of the first rule (in the order added) that matches {@code path}, or null. */
        @SuppressWarnings("unchecked")
        T find(String path) {
            if (regexes != null) {
                return findInOrder(path);
            }
            int best = rootPrefix;
            int length = path.length();
            int hash = 0;
            long lengths = prefixLengths;
            for (int i = 0; i <= length; i++) {
                char c = i < length ? path.charAt(i) : '/';
                // A prefix rule matches where the request path ends or a path element begins.
                if (c == '/' && (lengths & (i < 63 ? 1L << i : 1L << 63)) != 0) {
                    best = Math.min(best, probe(hash, false, path, i));
                }
                if (i < length) {
                    hash = 31 * hash + c; // String.hashCode of path[0, i + 1)
                }
            }
            if (anyExact) {
                best = Math.min(best, probe(hash, true, path, length));
            }
            return best == Integer.MAX_VALUE ? null : (T) entries[2 * best + 1];
        }

        /**
         * For a host with regular-expression rules, where the first rule that matches wins whatever its length (as
         * ingress-nginx tries its regex locations): the rules tried in order. Each expression matches in time linear
         * in the path (RE2), so a lookup costs at most the host's rules times the path's length; only such hosts pay.
         */
        @SuppressWarnings("unchecked")
        private T findInOrder(String path) {
            for (int i = 0; i < rules.size(); i++) {
                Pattern regex = regexes[i];
                boolean matches = regex != null ? regex.matcher(path).find()
                        : rules.get(i).path().type() != PathMatch.Type.REGEX && rules.get(i).path().matches(path);
                if (matches) {
                    return (T) entries[2 * i + 1];
                }
            }
            return null;
        }

        /** The first rule with this type whose path is {@code path[0, length)}, or {@link Integer#MAX_VALUE}. */
        private int probe(int hash, boolean exact, String path, int length) {
            for (int slot = spread(hash) & mask; ; slot = (slot + 1) & mask) {
                int value = table[slot * 2 + 1];
                if (value == EMPTY) {
                    return Integer.MAX_VALUE;
                }
                int entry = value - 1;
                if (table[slot * 2] == hash && ((entry & EXACT_BIT) != 0) == exact) {
                    String candidate = (String) entries[(entry >>> 1) * 2];
                    if (candidate.length() == length && path.startsWith(candidate)) {
                        return entry >>> 1;
                    }
                }
            }
        }

        private void insert(int hash, int value) {
            int slot = spread(hash) & mask;
            while (table[slot * 2 + 1] != EMPTY) {
                slot = (slot + 1) & mask;
            }
            table[slot * 2] = hash;
            table[slot * 2 + 1] = value;
        }

        private static int spread(int hash) {
            return hash ^ (hash >>> 16);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof HostRules<?> that && rules.equals(that.rules)
                    && Objects.equals(defaultTarget, that.defaultTarget);
        }

        @Override
        public int hashCode() {
            return Objects.hash(rules, defaultTarget);
        }

        @Override
        public String toString() {
            return "HostRules[rules=" + rules + ", defaultTarget=" + defaultTarget + "]";
        }
    }

    private static final class HostBuilder<T> {
        /** Rules and default given whole ({@link Builder#host}), kept as they are while nothing is added. */
        private HostRules<T> given;
        private final List<Rule<T>> rules = new ArrayList<>();
        private T defaultTarget;

        void add(Rule<T> rule) {
            open();
            rules.add(rule);
        }

        void offerDefault(T target) {
            if (given != null && given.defaultTarget() != null) {
                return; // the first default wins
            }
            open();
            if (defaultTarget == null) {
                defaultTarget = target;
            }
        }

        private void open() {
            if (given != null) {
                rules.addAll(given.rules());
                defaultTarget = given.defaultTarget();
                given = null;
            }
        }

        HostRules<T> build() {
            return given != null ? given : new HostRules<>(rules, defaultTarget);
        }
    }

    /** Collects rules in precedence order. The first default given for a host (or the table) wins. */
    public static final class Builder<T> {
        private final Map<HostMatch, HostBuilder<T>> hosts = new LinkedHashMap<>();
        private T defaultTarget;
        private T notFound;

        public Builder<T> rule(HostMatch host, PathMatch path, T target) {
            hosts.computeIfAbsent(host, h -> new HostBuilder<>()).add(new Rule<>(path, target));
            return this;
        }

        /** Where requests for {@code host} that match none of its rules go; declares the host if it has no rules. */
        public Builder<T> hostDefault(HostMatch host, T target) {
            hosts.computeIfAbsent(host, h -> new HostBuilder<>()).offerDefault(Objects.requireNonNull(target));
            return this;
        }

        /**
         * A host's rules and default at once, as {@link #rule} for each rule then {@link #hostDefault}; when nothing
         * else is given for the host, the table holds {@code rules} itself.
         */
        public Builder<T> host(HostMatch host, HostRules<T> rules) {
            HostBuilder<T> builder = hosts.get(host);
            if (builder == null) {
                builder = new HostBuilder<>();
                builder.given = rules;
                hosts.put(host, builder);
                return this;
            }
            rules.rules().forEach(builder::add);
            if (rules.defaultTarget() != null) {
                builder.offerDefault(rules.defaultTarget());
            }
            return this;
        }

        public Builder<T> defaultTarget(T target) {
            if (defaultTarget == null) {
                defaultTarget = Objects.requireNonNull(target);
            }
            return this;
        }

        public Builder<T> notFound(T target) {
            if (notFound == null) {
                notFound = Objects.requireNonNull(target);
            }
            return this;
        }

        public RouteTable<T> build() {
            return new RouteTable<>(this);
        }
    }
}
