package io.ingressgateway.bench;

import io.ingressgateway.gateway.lookup.RouteTable;
import io.ingressgateway.model.HostMatch;
import io.ingressgateway.model.PathMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The route lookup alone: {@link RouteTable#lookup(String, String)} with 10, 1,000 and 10,000 rules, the same rule
 * shape as the end-to-end benchmarks (bench/lib/routes.py): hosts {@code h<i>.bench.test}, each with
 * {@code pathsPerHost} paths {@code /p<j>/v1}, every fourth one Exact and the others Prefix, requests below the
 * prefixes. Plus a few wildcard hosts, so the wildcard step of host selection is exercised too.
 *
 * <p>Requests cycle through a fixed, shuffled array of hits (every rule equally likely), so neither branch prediction
 * nor the cache sees one hot rule. {@code lookupMiss} asks for a host no rule names (the 404 path);
 * {@code build} measures building the whole table, the cost a full rebuild pays per change.
 *
 * <p>{@code regexRules} (0 unless asked for, e.g. {@code -p rules=10000 -p regexRules=1000}) makes that many of the
 * rules regular expressions ({@code use-regex}), on hosts of their own ({@code r<i>.bench.test}, {@code pathsPerHost}
 * each, {@code /p<j>/v[0-9]+(/.*)?}, tried in order as ingress-nginx does): {@code lookup} then still asks only the
 * plain hosts, so it shows whether their cost stays flat, and {@code lookupRegex} asks the regex hosts.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RouteTableBenchmark {

    private static final int REQUESTS = 1 << 14;
    private static final int WILDCARD_HOSTS = 4;

    @Param({"10", "1000", "10000"})
    public int rules;

    @Param({"10"})
    public int pathsPerHost;

    @Param({"0"})
    public int regexRules;

    private final List<Object[]> definitions = new ArrayList<>();
    private RouteTable<String> table;
    private String[] hosts;
    private String[] paths;
    private String[] missHosts;
    private String[] regexHosts;
    private String[] regexPaths;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        List<String[]> hits = new ArrayList<>();
        int plainRules = rules - Math.min(regexRules, rules);
        List<String[]> regexHits = new ArrayList<>();
        for (int n = 0; n < rules - plainRules; n++) {
            int host = n / pathsPerHost;
            int path = n % pathsPerHost;
            String hostName = "r" + host + ".bench.test";
            definitions.add(new Object[] {HostMatch.of(hostName), PathMatch.regex("/p" + path + "/v[0-9]+(/.*)?"),
                    "regex-" + n});
            regexHits.add(new String[] {hostName, "/p" + path + "/v1/items"});
        }
        for (int n = 0; n < plainRules; n++) {
            int host = n / pathsPerHost;
            int path = n % pathsPerHost;
            String hostName = "h" + host + ".bench.test";
            String prefix = "/p" + path + "/v1";
            boolean exact = path % 4 == 3;
            definitions.add(new Object[] {HostMatch.of(hostName),
                    exact ? PathMatch.exact(prefix) : PathMatch.prefix(prefix), "route-" + n});
            hits.add(new String[] {hostName, exact ? prefix : prefix + "/items"});
        }
        for (int w = 0; w < WILDCARD_HOSTS; w++) {
            definitions.add(new Object[] {HostMatch.of("*.w" + w + ".bench.test"), PathMatch.prefix("/"),
                    "wildcard-" + w});
            hits.add(new String[] {"app.w" + w + ".bench.test", "/anything"});
        }
        table = build();

        hosts = new String[REQUESTS];
        paths = new String[REQUESTS];
        missHosts = new String[REQUESTS];
        regexHosts = new String[REQUESTS];
        regexPaths = new String[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            if (!regexHits.isEmpty()) {
                String[] regexHit = regexHits.get(random.nextInt(regexHits.size()));
                regexHosts[i] = regexHit[0];
                regexPaths[i] = regexHit[1];
            }
            String[] hit = hits.get(random.nextInt(hits.size()));
            hosts[i] = hit[0];
            paths[i] = hit[1];
            missHosts[i] = "unknown" + random.nextInt(rules) + ".example.org";
        }
        // Every request must find its rule: a benchmark of lookups that miss would measure the wrong thing.
        for (int i = 0; i < REQUESTS; i++) {
            if (table.lookup(hosts[i], paths[i]) == null) {
                throw new IllegalStateException("no route for " + hosts[i] + paths[i]);
            }
            if (regexHosts[i] != null && table.lookup(regexHosts[i], regexPaths[i]) == null) {
                throw new IllegalStateException("no route for " + regexHosts[i] + regexPaths[i]);
            }
        }
    }

    @Benchmark
    public String lookup() {
        int i = next++ & (REQUESTS - 1);
        return table.lookup(hosts[i], paths[i]);
    }

    /** A request for a host with regular-expression rules (with {@code regexRules} 0 there are none: nothing to read). */
    @Benchmark
    public String lookupRegex() {
        int i = next++ & (REQUESTS - 1);
        return regexHosts[i] == null ? null : table.lookup(regexHosts[i], regexPaths[i]);
    }

    @Benchmark
    public String lookupMiss() {
        int i = next++ & (REQUESTS - 1);
        return table.lookup(missHosts[i], paths[i]);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public RouteTable<String> build() {
        RouteTable.Builder<String> builder = RouteTable.builder();
        for (Object[] d : definitions) {
            builder.rule((HostMatch) d[0], (PathMatch) d[1], (String) d[2]);
        }
        return builder.notFound("not-found").build();
    }
}
