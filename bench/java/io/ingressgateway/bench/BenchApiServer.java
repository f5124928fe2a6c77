package io.ingressgateway.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.ingressgateway.support.ApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A standalone Kubernetes API server for the benchmarks: the tests' CRUD mock ({@link ApiServer}) in its own process,
 * loaded with the objects of a manifest directory (from bench/lib/routes.py).
 *
 * <pre>
 *   java -cp ... io.ingressgateway.bench.BenchApiServer --manifests DIR --url-file FILE [--threads 8]
 * </pre>
 *
 * Creates every object through the API (as kubectl would, in parallel), then writes the server's URL to the URL file
 * (atomically, so a script can wait for the file) and serves until killed.
 */
public final class BenchApiServer {

    public static void main(String[] args) throws Exception {
        Path manifests = Path.of(arg(args, "--manifests", null));
        Path urlFile = Path.of(arg(args, "--url-file", null));
        int threads = Integer.parseInt(arg(args, "--threads", "8"));

        ApiServer server = new ApiServer();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "api-server-shutdown"));

        long start = System.nanoTime();
        int created = 0;
        List<Path> files;
        try (Stream<Path> listing = Files.list(manifests)) {
            files = listing.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".yaml"))
                    .sorted().toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            // Files in order (the IngressClass, Services and EndpointSlices come first), objects of a file in parallel.
            for (Path file : files) {
                List<HasMetadata> objects = read(server, file);
                List<Future<?>> done = new ArrayList<>();
                for (HasMetadata object : objects) {
                    done.add(pool.submit(() -> server.apply(object)));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                created += objects.size();
            }
        } finally {
            pool.shutdown();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("loaded %d objects from %d files in %d ms; serving on %s%n", created, files.size(), millis,
                server.url());

        Path tmp = urlFile.resolveSibling(urlFile.getFileName() + ".tmp");
        Files.writeString(tmp, server.url() + "\n");
        Files.move(tmp, urlFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    private static List<HasMetadata> read(ApiServer server, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return server.client().load(in).items();
        }
    }

    static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        if (fallback == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return fallback;
    }
}
