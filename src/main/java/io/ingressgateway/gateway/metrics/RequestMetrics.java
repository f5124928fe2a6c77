package io.ingressgateway.gateway.metrics;

import io.ingressgateway.gateway.route.IngressRouteDefinitions.Kind;
import io.ingressgateway.gateway.route.PerRouteCache;
import io.ingressgateway.gateway.route.ServedRoute;
import io.ingressgateway.model.IngressRef;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.web.server.ServerWebExchange;

/**
 * The request metrics an ingress-nginx dashboard reads, under our names: requests, request duration, upstream
 * response time, request and response sizes, by {@code namespace}, {@code ingress}, {@code service}, {@code host},
 * {@code status} and {@code method} (docs/metrics.md maps each {@code nginx_ingress_controller_*} series to these).
 *
 * <p>Every label comes from a closed set: namespace, Ingress, Service and host from the rule the request matched (the
 * rule's host pattern, never the client's Host header), the method from {@link MethodTag}, the status from
 * {@link StatusTag}. A request that matched no rule (the default backend, the built-in 404) is counted with all four
 * empty, as ingress-nginx counts its default server.
 *
 * <p>Each label set is one {@link RequestSeries}: counts in plain arrays, found per request through the route the
 * request carries ({@link PerRouteCache}: the route's {@link Group} is kept in its {@link ServedRoute}) and a short
 * scan of that group's series, with no tag list built and no registry lookup. The series are exposed by this object
 * itself, a Prometheus {@link MultiCollector} registered in the registry the Prometheus endpoint scrapes: Micrometer
 * would need a meter per bucket (a function counter or gauge each, 48 per series), each with its id and tags in the
 * registry and walked one by one at every scrape; here a scrape reads the arrays. The cost: these series are in
 * the Prometheus scrape only, not in Micrometer's {@code /actuator/metrics}.
 *
 * <p>A group no served route leads to any more (its Ingress deleted, its rule's host or Service changed) is dropped,
 * series and all, as ingress-nginx removes the metrics of a deleted Ingress: checked at a scrape after the routes
 * changed, at most once per {@link #pruneIntervalNanos}, so that a stream of route changes does not walk every route
 * each time.
 */
public final class RequestMetrics implements MultiCollector {

    static final String REQUESTS = "ingress_gateway_requests";
    static final String REQUEST_DURATION = "ingress_gateway_request_duration_seconds";
    static final String RESPONSE_DURATION = "ingress_gateway_response_duration_seconds";
    static final String REQUEST_SIZE = "ingress_gateway_request_size_bytes";
    static final String RESPONSE_SIZE = "ingress_gateway_response_size_bytes";

    private static final String[] LABEL_NAMES = {"namespace", "ingress", "service", "host", "status", "method"};
    private static final double[] TIME_BOUNDS = RequestBuckets.withInfinity(RequestBuckets.TIME_SECONDS);
    private static final double[] LENGTH_BOUNDS = RequestBuckets.withInfinity(RequestBuckets.LENGTH);
    private static final ServedRoute.Slot SLOT = ServedRoute.Slot.allocate("request metrics");

    /**
     * The labels a route's requests are counted under, but status and method.
     *
     * @param host the rule's host pattern ({@code *.example.com} for a wildcard), empty for a rule without host
     */
    record GroupKey(String namespace, String ingress, String service, String host) {

        /** The key of requests no rule took: the default backend's and the built-in 404's. */
        static final GroupKey NO_RULE = new GroupKey("", "", "", "");

        /** The key of a route's requests: its rule's Ingress, Service and host, or {@link #NO_RULE}. */
        static GroupKey of(ServedRoute served) {
            if (served == null || served.kind() != Kind.RULE) {
                return NO_RULE;
            }
            io.ingressgateway.model.Route rule = served.rule();
            IngressRef ingress = rule.ingress();
            return new GroupKey(ingress == null ? "" : ingress.namespace(), ingress == null ? "" : ingress.name(),
                    rule.upstreamKey() == null ? "" : rule.upstreamKey().service(), rule.host().pattern());
        }
    }

    /** The series of one {@link GroupKey}, by status and method, copied on write: requests only read. */
    static final class Group {

        private final GroupKey key;
        /** The series of the first (status, method) seen, checked first: most routes answer mostly one. */
        private volatile RequestSeries first;
        private volatile RequestSeries[] more = new RequestSeries[0];

        Group(GroupKey key) {
            this.key = key;
        }

        RequestSeries series(int code, String method) {
            RequestSeries kept = first;
            if (kept != null && kept.isFor(code, method)) {
                return kept;
            }
            for (RequestSeries series : more) {
                if (series.isFor(code, method)) {
                    return series;
                }
            }
            return add(code, method);
        }

        /** A new series (rare: once per group, status and method; both from closed sets, so bounded). */
        private synchronized RequestSeries add(int code, String method) {
            if (first != null && first.isFor(code, method)) {
                return first;
            }
            for (RequestSeries series : more) {
                if (series.isFor(code, method)) {
                    return series;
                }
            }
            RequestSeries series = new RequestSeries(code, method, Labels.of(LABEL_NAMES, new String[] {
                key.namespace(), key.ingress(), key.service(), key.host(), StatusTag.codeTag(code), method}));
            if (first == null) {
                first = series;
            } else {
                RequestSeries[] grown = Arrays.copyOf(more, more.length + 1);
                grown[more.length] = series;
                more = grown;
            }
            return series;
        }

        List<RequestSeries> all() {
            List<RequestSeries> all = new ArrayList<>();
            RequestSeries kept = first;
            if (kept != null) {
                all.add(kept);
            }
            all.addAll(Arrays.asList(more));
            return all;
        }
    }

    private final Map<GroupKey, Group> groups = new ConcurrentHashMap<>();
    private final PerRouteCache<Group> byRoute = new PerRouteCache<>(SLOT, (route, served) -> group(GroupKey.of(served)));
    private final Supplier<List<ServedRoute>> servedRoutes;
    private final long pruneIntervalNanos;
    /**
     * Replaced whenever groups are dropped, so that no route keeps counting into a dropped group: its next request
     * finds (or makes) its group again.
     */
    private volatile Object version = new Object();
    private volatile boolean routesChanged;
    private long lastPrune = System.nanoTime();

    /**
     * @param servedRoutes       the routes served now (to tell which groups are still in use)
     * @param pruneIntervalNanos the least time between two sweeps of gone groups
     */
    public RequestMetrics(Supplier<List<ServedRoute>> servedRoutes, long pruneIntervalNanos) {
        this.servedRoutes = servedRoutes;
        this.pruneIntervalNanos = pruneIntervalNanos;
    }

    /** Tells that the served routes changed: gone groups are dropped at a later scrape. */
    public void routesChanged() {
        routesChanged = true;
    }

    /** The series of a request on {@code route} (null for none) answered with status key {@code code}. */
    RequestSeries series(ServerWebExchange exchange, Route route, int code, String method) {
        Group group = route == null ? group(GroupKey.NO_RULE) : byRoute.get(exchange, route, version);
        return group.series(code, method);
    }

    /** The series of a request on {@code served} (for tests and callers without an exchange). */
    RequestSeries series(ServedRoute served, int code, String method) {
        return byRoute.get(served, version).series(code, method);
    }

    private Group group(GroupKey key) {
        Group group = groups.get(key);
        return group != null ? group : groups.computeIfAbsent(key, Group::new);
    }

    /** Drops the groups no served route leads to, when the routes changed and the last sweep is long enough ago. */
    void pruneIfDue() {
        long now = System.nanoTime();
        synchronized (this) {
            if (!routesChanged || now - lastPrune < pruneIntervalNanos) {
                return;
            }
            routesChanged = false;
            lastPrune = now;
        }
        prune();
    }

    /** Drops the groups no served route leads to. */
    synchronized void prune() {
        Set<GroupKey> live = new HashSet<>();
        live.add(GroupKey.NO_RULE);
        for (ServedRoute served : servedRoutes.get()) {
            live.add(GroupKey.of(served));
        }
        if (groups.keySet().retainAll(live)) {
            version = new Object();
        }
    }

    /** How many label groups are kept (for tests). */
    int groupCount() {
        return groups.size();
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(REQUESTS, REQUEST_DURATION, RESPONSE_DURATION, REQUEST_SIZE, RESPONSE_SIZE);
    }

    @Override
    public MetricSnapshots collect() {
        pruneIfDue();
        List<CounterDataPointSnapshot> requests = new ArrayList<>();
        List<HistogramDataPointSnapshot> durations = new ArrayList<>();
        List<HistogramDataPointSnapshot> upstream = new ArrayList<>();
        List<HistogramDataPointSnapshot> requestSizes = new ArrayList<>();
        List<HistogramDataPointSnapshot> responseSizes = new ArrayList<>();
        for (Group group : groups.values()) {
            for (RequestSeries series : group.all()) {
                long[] duration = series.buckets(RequestSeries.DURATION, TIME_BOUNDS.length);
                long count = Arrays.stream(duration).sum();
                if (count == 0) {
                    continue; // made by a request still being recorded
                }
                Labels labels = series.labels();
                requests.add(new CounterDataPointSnapshot(count, labels, null, 0));
                durations.add(histogram(TIME_BOUNDS, duration, series.durationSumSeconds(), labels));
                requestSizes.add(histogram(LENGTH_BOUNDS,
                        series.buckets(RequestSeries.REQUEST_SIZE, LENGTH_BOUNDS.length), series.requestBytesSum(),
                        labels));
                responseSizes.add(histogram(LENGTH_BOUNDS,
                        series.buckets(RequestSeries.RESPONSE_SIZE, LENGTH_BOUNDS.length), series.responseBytesSum(),
                        labels));
                long[] upstreamBuckets = series.buckets(RequestSeries.UPSTREAM, TIME_BOUNDS.length);
                if (Arrays.stream(upstreamBuckets).sum() > 0) {
                    upstream.add(histogram(TIME_BOUNDS, upstreamBuckets, series.upstreamSumSeconds(), labels));
                }
            }
        }
        return MetricSnapshots.of(
                new CounterSnapshot(new MetricMetadata(REQUESTS,
                        "Requests the gateway answered, by the rule they matched, status and method"), requests),
                new HistogramSnapshot(new MetricMetadata(REQUEST_DURATION,
                        "Time from the gateway's first look at a request to the end of its response",
                        Unit.SECONDS), durations),
                new HistogramSnapshot(new MetricMetadata(RESPONSE_DURATION,
                        "Time from the first upstream attempt to the end of the response (requests sent upstream)",
                        Unit.SECONDS), upstream),
                new HistogramSnapshot(new MetricMetadata(REQUEST_SIZE,
                        "Request length: request line, headers and body", Unit.BYTES), requestSizes),
                new HistogramSnapshot(new MetricMetadata(RESPONSE_SIZE,
                        "Response length: status line, headers and body", Unit.BYTES), responseSizes));
    }

    private static HistogramDataPointSnapshot histogram(double[] bounds, long[] counts, double sum, Labels labels) {
        return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts), sum, labels,
                Exemplars.EMPTY, 0);
    }
}
