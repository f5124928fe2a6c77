package io.ingressgateway.gateway;

import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Finds the target of a request with Kubernetes Ingress semantics, by index rather than by scanning every rule.
 *
 * <p>The virtual host is chosen first, from the Host header alone: the exact host, else the wildcard covering its first
 * label ({@code *.example.com} for {@code a.example.com}), else the any-host one. Only that virtual host's rules are
 * tried, in the order they were added (precedence order); when none matches, the request goes to the virtual host's
 * default, else the table default, else not-found. A request never falls through to a less specific virtual host:
 * an exact host with no matching path does not reach the wildcard's rules.
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
     * @return the matching rule's target, else a default, else the not-found target (null when none was given)
     */
    public T lookup(String hostHeader, String rawPath) {
        HostRules<T> host = selectHost(normalizeHost(hostHeader));
        String path = RequestPath.normalize(rawPath);
        if (host == null) {
            return defaultTarget != null ? defaultTarget : notFound;
        }
        for (Rule<T> rule : host.rules()) {
            if (rule.path().matches(path)) {
                return rule.target();
            }
        }
        if (host.defaultTarget() != null) {
            return host.defaultTarget();
        }
        return defaultTarget != null ? defaultTarget : notFound;
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

    /**
     * The host name of a Host header as Ingress rules compare it: lower case, without port (also for a bracketed IPv6
     * literal, which keeps its brackets) and without the trailing dot of a fully qualified name. Null gives "".
     */
    public static String normalizeHost(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host = hostHeader.trim();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end > 0) {
                host = host.substring(0, end + 1);
            }
        } else {
            int colon = host.indexOf(':');
            // More than one colon is an unbracketed IPv6 literal (invalid in a Host header): leave it whole.
            if (colon >= 0 && colon == host.lastIndexOf(':')) {
                host = host.substring(0, colon);
            }
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
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
     * One host's rules in precedence order and its default (null for none). Immutable, so one made for a virtual host
     * can go into the tables of later models for as long as that virtual host is unchanged ({@link Builder#host}).
     */
    public record HostRules<T>(List<Rule<T>> rules, T defaultTarget) {

        public HostRules {
            rules = List.copyOf(rules);
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
