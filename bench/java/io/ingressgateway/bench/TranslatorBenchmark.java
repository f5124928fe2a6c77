package io.ingressgateway.bench;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.ingressgateway.model.RouteModel;
import io.ingressgateway.source.ClusterSnapshot;
import io.ingressgateway.translate.IngressTranslator;
import io.ingressgateway.translate.TranslatorSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * The translator alone, with {@code ingresses} Ingresses of the convergence benchmark's shape (one rule each; hosts
 * {@code h<i>.bench.test} with 10 paths; one Service and EndpointSlice per host): what one change costs on the
 * pipeline thread before any listener runs.
 *
 * <ul>
 *   <li>{@code updateOneIngress}: one Ingress replaced by a new object with another path (alternating), as an
 *       informer update delivers it; the snapshot is made as the source makes it (copies of the lists).</li>
 *   <li>{@code updateOneEndpointSlice}: one EndpointSlice replaced (its endpoint alternating).</li>
 *   <li>{@code fullTranslation} (ms): a new translator translating the whole snapshot, as at start-up.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TranslatorBenchmark {

    private static final String CLASS = "ingress-gateway";
    private static final String CONTROLLER = "ingress-gateway.io/controller";
    private static final int PATHS_PER_HOST = 10;

    @Param({"1000", "10000"})
    public int ingresses;

    private final TranslatorSettings settings = new TranslatorSettings(CLASS, CONTROLLER, "");
    private IngressTranslator translator;
    private List<Ingress> ingressList;
    private List<IngressClass> classes;
    private List<Service> services;
    private List<EndpointSlice> slices;
    private long revision;
    private int next;

    @Setup
    public void setUp() {
        classes = List.of(new IngressClassBuilder().withNewMetadata().withName(CLASS).endMetadata()
                .withNewSpec().withController(CONTROLLER).endSpec().build());
        ingressList = new ArrayList<>();
        services = new ArrayList<>();
        slices = new ArrayList<>();
        for (int i = 0; i < ingresses; i++) {
            ingressList.add(ingress(i, "v1"));
        }
        ingressList.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        for (int host = 0; host * PATHS_PER_HOST < ingresses; host++) {
            services.add(new ServiceBuilder().withNewMetadata().withNamespace("bench").withName("svc" + host)
                    .endMetadata().withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec()
                    .build());
            slices.add(slice(host, 1));
        }
        services.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        slices.sort((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()));
        translator = new IngressTranslator(settings);
        RouteModel model = translator.translate(snapshot());
        if (model.virtualHosts().isEmpty() || model.upstreams().isEmpty()) {
            throw new IllegalStateException("nothing translated");
        }
    }

    @Benchmark
    public RouteModel updateOneIngress() {
        int position = next++ % ingressList.size();
        Ingress before = ingressList.get(position);
        int index = Integer.parseInt(before.getMetadata().getName().substring(3));
        String version = before.getSpec().getRules().get(0).getHttp().getPaths().get(0).getPath().endsWith("v1")
                ? "v2" : "v1";
        ingressList.set(position, ingress(index, version));
        return translator.translate(snapshot());
    }

    @Benchmark
    public RouteModel updateOneEndpointSlice() {
        int position = next++ % slices.size();
        int host = Integer.parseInt(slices.get(position).getMetadata().getName().substring(5));
        slices.set(position, slice(host, 1 + (next & 1)));
        return translator.translate(snapshot());
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public RouteModel fullTranslation() {
        return new IngressTranslator(settings).translate(snapshot());
    }

    private ClusterSnapshot snapshot() {
        return new ClusterSnapshot(ingressList, classes, services, slices, List.of(), ++revision);
    }

    private static Ingress ingress(int index, String version) {
        int host = index / PATHS_PER_HOST;
        return new IngressBuilder().withNewMetadata().withNamespace("bench").withName(String.format("ing%06d", index))
                .withCreationTimestamp(Instant.ofEpochSecond(1_700_000_000L + index).toString())
                .withResourceVersion(version + index).endMetadata()
                .withNewSpec().withIngressClassName(CLASS)
                .addNewRule().withHost("h" + host + ".bench.test").withNewHttp()
                .addNewPath().withPath("/p" + index % PATHS_PER_HOST + "/" + version).withPathType("Prefix")
                .withNewBackend().withNewService().withName("svc" + host).withNewPort().withNumber(80).endPort()
                .endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    private static EndpointSlice slice(int host, int lastOctet) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace("bench")
                .withName(String.format("slice%06d", host))
                .addToLabels("kubernetes.io/service-name", "svc" + host).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withPort(8080).endPort()
                .addToEndpoints(new EndpointBuilder().withAddresses("10.0.0." + lastOctet).withNewConditions()
                        .withReady(true).endConditions().build())
                .build();
    }
}
