package io.ingressgateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ingressgateway.support.Backend;
import io.ingressgateway.support.HttpProbe;
import io.ingressgateway.support.Objects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Measures convergence: with the gateway running against an API server already holding many Ingresses, the time from
 * an API call returning to the first request the gateway serves by the new state. The gateway is polled back to back
 * (with --poll-interval-ms between polls) on a keep-alive connection.
 *
 * <pre>
 *   java -cp ... io.ingressgateway.bench.ConvergenceDriver --api URL --gateway-port P --changes 100 --out FILE
 * </pre>
 *
 * Scenarios, each {@code --changes} times:
 * <ul>
 *   <li>{@code create_ingress}: create an Ingress for a new host; done when that host answers 200 from backend A;</li>
 *   <li>{@code update_ingress}: change the path of one Ingress to a new one; done when the new path answers 200;</li>
 *   <li>{@code update_endpointslice}: point one Service's EndpointSlice at the other backend; done when the answer
 *       comes from it.</li>
 * </ul>
 * Writes one JSON object to --out: per scenario the samples' p50/p90/p99/max in milliseconds (from the call returning,
 * and from the call starting) and how many changes never converged within --timeout-ms.
 */
public final class ConvergenceDriver {

    private static final String NAMESPACE = "bench";
    private static final String CLASS = "ingress-gateway";

    private final KubernetesClient client;
    private final HttpProbe gateway;
    private final long timeoutNanos;
    private final long pollIntervalMillis;
    private final long pauseMillis;

    private ConvergenceDriver(KubernetesClient client, HttpProbe gateway, long timeoutMillis, long pollIntervalMillis,
                              long pauseMillis) {
        this.client = client;
        this.gateway = gateway;
        this.timeoutNanos = timeoutMillis * 1_000_000;
        this.pollIntervalMillis = pollIntervalMillis;
        this.pauseMillis = pauseMillis;
    }

    public static void main(String[] args) throws Exception {
        String api = BenchApiServer.arg(args, "--api", null);
        int gatewayPort = Integer.parseInt(BenchApiServer.arg(args, "--gateway-port", null));
        int changes = Integer.parseInt(BenchApiServer.arg(args, "--changes", "100"));
        long timeoutMillis = Long.parseLong(BenchApiServer.arg(args, "--timeout-ms", "10000"));
        long pollInterval = Long.parseLong(BenchApiServer.arg(args, "--poll-interval-ms", "1"));
        long pause = Long.parseLong(BenchApiServer.arg(args, "--pause-ms", "50"));
        List<String> scenarios = Arrays.asList(BenchApiServer.arg(args, "--scenarios",
                "create_ingress,update_ingress,update_endpointslice").split(","));
        Path out = Path.of(BenchApiServer.arg(args, "--out", null));

        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl(api).build()).build();
             Backend a = new Backend("A");
             Backend b = new Backend("B")) {
            ConvergenceDriver driver = new ConvergenceDriver(client, new HttpProbe(gatewayPort), timeoutMillis,
                    pollInterval, pause);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("changes", changes);
            result.put("poll_interval_ms", pollInterval);
            result.put("timeout_ms", timeoutMillis);
            driver.setUp(a, b);
            if (scenarios.contains("create_ingress")) {
                result.put("create_ingress", driver.createIngress(changes).summary());
            }
            if (scenarios.contains("update_ingress")) {
                result.put("update_ingress", driver.updateIngress(changes).summary());
            }
            if (scenarios.contains("update_endpointslice")) {
                result.put("update_endpointslice", driver.updateEndpointSlice(changes, a, b).summary());
            }
            Files.writeString(out, new ObjectMapper().writeValueAsString(result));
        }
        System.exit(0);
    }

    /** Services conv-a (backend A) and conv-ep (A, switched later); Ingresses conv-upd and conv-ep. */
    private void setUp(Backend a, Backend b) {
        client.resource(Objects.service(NAMESPACE, "conv-a", Objects.port("http", 80, a.port()))).create();
        client.resource(Objects.endpointSlice(NAMESPACE, "conv-a", "conv-a-1", "http", a.port(), true)).create();
        client.resource(Objects.service(NAMESPACE, "conv-ep", Objects.port("http", 80, a.port()))).create();
        client.resource(Objects.endpointSlice(NAMESPACE, "conv-ep", "conv-ep-1", "http", a.port(), true)).create();
        client.resource(ingress("conv-upd", "conv-upd.bench.test", "/v0", "conv-a")).create();
        client.resource(ingress("conv-ep", "conv-ep.bench.test", "/", "conv-ep")).create();
        Samples ready = new Samples();
        awaitServed(ready, System.nanoTime(), System.nanoTime(), "conv-upd.bench.test", "/v0", body("A"));
        awaitServed(ready, System.nanoTime(), System.nanoTime(), "conv-ep.bench.test", "/", body("A"));
        if (ready.timeouts > 0) {
            throw new IllegalStateException("the gateway never served the set-up Ingresses");
        }
    }

    private Samples createIngress(int changes) {
        Samples samples = new Samples();
        for (int i = 0; i < changes; i++) {
            String host = "conv-new-" + i + ".bench.test";
            Ingress ingress = ingress("conv-new-" + i, host, "/", "conv-a");
            measure(samples, () -> client.resource(ingress).create(), host, "/", body("A"));
        }
        return samples;
    }

    private Samples updateIngress(int changes) {
        Samples samples = new Samples();
        for (int k = 1; k <= changes; k++) {
            String path = "/v" + k;
            measure(samples, () -> client.network().v1().ingresses().inNamespace(NAMESPACE).withName("conv-upd")
                    .edit(ing -> {
                        ing.getSpec().getRules().get(0).getHttp().getPaths().get(0).setPath(path);
                        return ing;
                    }), "conv-upd.bench.test", path, body("A"));
        }
        return samples;
    }

    private Samples updateEndpointSlice(int changes, Backend a, Backend b) {
        Samples samples = new Samples();
        for (int k = 1; k <= changes; k++) {
            Backend target = k % 2 == 1 ? b : a;
            measure(samples, () -> client.discovery().v1().endpointSlices().inNamespace(NAMESPACE)
                    .withName("conv-ep-1").edit(slice -> {
                        slice.getPorts().get(0).setPort(target.port());
                        return slice;
                    }), "conv-ep.bench.test", "/", body(target.name()));
        }
        return samples;
    }

    private void measure(Samples samples, Supplier<?> apiCall, String host, String path,
                         Predicate<HttpProbe.Response> served) {
        pause();
        long callStart = System.nanoTime();
        apiCall.get();
        long callReturned = System.nanoTime();
        awaitServed(samples, callStart, callReturned, host, path, served);
    }

    private void awaitServed(Samples samples, long callStart, long callReturned, String host, String path,
                             Predicate<HttpProbe.Response> served) {
        long deadline = callReturned + timeoutNanos;
        int polls = 0;
        while (System.nanoTime() < deadline) {
            HttpProbe.Response response;
            try {
                response = gateway.get(host, path);
            } catch (RuntimeException e) {
                response = null;
            }
            long now = System.nanoTime();
            polls++;
            if (response != null && served.test(response)) {
                samples.add((now - callReturned) / 1e6, (now - callStart) / 1e6, polls);
                return;
            }
            if (pollIntervalMillis > 0) {
                sleep(pollIntervalMillis);
            }
        }
        samples.timeouts++;
    }

    private static Predicate<HttpProbe.Response> body(String name) {
        return r -> r.status() == 200 && name.equals(r.body());
    }

    private static Ingress ingress(String name, String host, String path, String service) {
        return Objects.ingress(NAMESPACE, name).className(CLASS)
                .rules(Objects.rule(host, Objects.path("Prefix", path, Objects.serviceBackend(service, 80))))
                .build();
    }

    private void pause() {
        if (pauseMillis > 0) {
            sleep(pauseMillis);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Convergence times of one scenario. */
    private static final class Samples {
        private final List<Double> fromReturn = new ArrayList<>();
        private final List<Double> fromStart = new ArrayList<>();
        private long polls;
        private int timeouts;

        void add(double msFromReturn, double msFromStart, int pollCount) {
            fromReturn.add(msFromReturn);
            fromStart.add(msFromStart);
            polls += pollCount;
        }

        Map<String, Object> summary() {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("samples", fromReturn.size());
            s.put("timeouts", timeouts);
            s.put("ms_from_call_return", percentiles(fromReturn));
            s.put("ms_from_call_start", percentiles(fromStart));
            s.put("mean_polls", fromReturn.isEmpty() ? null : Math.round(10.0 * polls / fromReturn.size()) / 10.0);
            return s;
        }

        private static Map<String, Object> percentiles(List<Double> values) {
            List<Double> sorted = values.stream().sorted().toList();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("p50", percentile(sorted, 50));
            p.put("p90", percentile(sorted, 90));
            p.put("p99", percentile(sorted, 99));
            p.put("max", sorted.isEmpty() ? null : round(sorted.get(sorted.size() - 1)));
            return p;
        }

        /** Nearest-rank percentile. */
        private static Double percentile(List<Double> sorted, double p) {
            if (sorted.isEmpty()) {
                return null;
            }
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return round(sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1)));
        }

        private static double round(double v) {
            return Math.round(v * 100) / 100.0;
        }
    }
}
