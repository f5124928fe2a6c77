package io.ingressgateway.source;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.ingressgateway.source.ManifestParser.InvalidManifestException;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests in a directory tree ({@code *.yaml}, {@code *.yml}, {@code *.json}; hidden files and directories
 * skipped), reloaded when anything in the tree changes.
 *
 * <p>One worker thread does everything: it reads the tree, delivers the first snapshot, then waits on a
 * {@link WatchService}. A change is followed by a short quiet period, because editors and {@code kubectl cp} write a
 * file in several steps; then the whole tree is re-read. Files whose bytes did not change keep their parsed objects,
 * and a snapshot is only delivered when the objects changed.
 *
 * <p>A file that cannot be parsed is reported and its last good objects stay in effect, so a typo never takes a
 * running route down; other files are unaffected. A missing directory serves nothing, and its nearest existing
 * parent is watched so the directory is picked up once created.
 */
public final class ManifestDirectorySource implements ClusterStateSource {

    private static final Logger log = LoggerFactory.getLogger(ManifestDirectorySource.class);

    /** How long the tree must stay quiet after a change before it is re-read. */
    private static final long QUIET_PERIOD_MS = 75;
    /** Upper bound on that wait, so a directory that never stops changing still gets reloaded. */
    private static final long MAX_RELOAD_DELAY_MS = 1000;
    private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");

    private final Path directory;
    private final ManifestParser parser = new ManifestParser();
    /** Worker thread only: each manifest file's content and the objects in effect for it. */
    private Map<Path, ManifestFile> files = Map.of();
    /** Worker thread only. */
    private final Map<WatchKey, Path> watchedDirectories = new HashMap<>();
    private boolean directoryPresent = true;
    private long revision;

    private volatile WatchService watchService;
    private volatile Thread worker;
    private volatile boolean closed;
    /** Times the tree has been read, whether or not anything had changed (for tests: a read that delivered nothing). */
    private final AtomicLong reads = new AtomicLong();
    private volatile boolean synced;

    public ManifestDirectorySource(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    @Override
    public synchronized void start(Consumer<ClusterSnapshot> listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("Source is closed");
        }
        if (worker != null) {
            throw new IllegalStateException("Source already started");
        }
        try {
            watchService = FileSystems.getDefault().newWatchService();
        } catch (IOException e) {
            log.error("Cannot watch {} for changes; serving it as read at startup", directory, e);
        }
        Thread thread = new Thread(() -> run(listener), "ingress-gateway-manifest-source");
        thread.setDaemon(true);
        worker = thread;
        thread.start();
    }

    private void run(Consumer<ClusterSnapshot> listener) {
        reloadSafely();
        deliver(listener);
        if (watchService == null) {
            return;
        }
        try {
            while (!closed) {
                awaitChange();
                boolean changed = reloadSafely();
                reads.incrementAndGet();
                if (changed) {
                    deliver(listener);
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() ends the loop
        }
    }

    /** Blocks until something in a watched directory changes and then stays quiet for {@link #QUIET_PERIOD_MS}. */
    private void awaitChange() throws InterruptedException {
        WatchKey key = watchService.take();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_RELOAD_DELAY_MS);
        while (key != null) {
            // The events themselves don't matter: the whole tree is re-read, which also covers overflow and renames.
            key.pollEvents();
            if (!key.reset()) {
                watchedDirectories.remove(key); // the directory is gone
            }
            long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0) {
                return;
            }
            key = watchService.poll(Math.min(QUIET_PERIOD_MS, remaining), TimeUnit.MILLISECONDS);
        }
    }

    private boolean reloadSafely() {
        try {
            return reload();
        } catch (RuntimeException e) {
            // Never let the worker die: the next change tries again.
            log.error("Reloading manifests from {} failed", directory, e);
            return false;
        }
    }

    /** Re-reads the tree; true when the objects in effect changed. */
    private boolean reload() {
        Set<Path> directories = new HashSet<>();
        List<Path> manifestFiles = new ArrayList<>();
        boolean present = Files.isDirectory(directory);
        if (present) {
            scan(directories, manifestFiles);
        } else {
            Path parent = nearestExistingAncestor(directory);
            if (parent != null) {
                directories.add(parent);
            }
        }
        if (present != directoryPresent) {
            if (present) {
                log.info("Manifest directory {} appeared", directory);
            } else {
                log.warn("Manifest directory {} does not exist; serving no manifests until it does", directory);
            }
            directoryPresent = present;
        }
        watch(directories);

        Map<Path, ManifestFile> next = new TreeMap<>();
        for (Path file : manifestFiles) {
            ManifestFile loaded = load(file, files.get(file));
            if (loaded != null) {
                next.put(file, loaded);
            }
        }
        for (Path removed : files.keySet()) {
            if (!next.containsKey(removed)) {
                log.info("Manifest file {} removed", removed);
            }
        }
        boolean changed = !objectsOf(next).equals(objectsOf(files));
        files = next;
        return changed;
    }

    /** The file's new state, or null when it vanished; a read or parse failure keeps the previous objects. */
    private ManifestFile load(Path file, ManifestFile previous) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null; // deleted between the scan and now
        } catch (IOException e) {
            log.warn("Cannot read manifest file {}: {}", file, e.toString());
            return previous;
        }
        if (previous != null && Arrays.equals(previous.content(), content)) {
            return previous;
        }
        try {
            List<HasMetadata> objects = List.copyOf(parser.parse(content));
            log.info("Loaded {} object(s) from {}", objects.size(), file);
            return new ManifestFile(content, objects);
        } catch (InvalidManifestException e) {
            // Remember the bad content so the error is logged once per edit, not on every reload.
            List<HasMetadata> lastGood = previous == null ? List.of() : previous.objects();
            log.error("Invalid manifest file {}: {}. {}", file, e.getMessage(), previous == null
                    ? "It contributes nothing until fixed."
                    : "Keeping its last good " + lastGood.size() + " object(s).");
            return new ManifestFile(content, lastGood);
        }
    }

    private static Map<Path, List<HasMetadata>> objectsOf(Map<Path, ManifestFile> files) {
        Map<Path, List<HasMetadata>> objects = new HashMap<>();
        files.forEach((path, file) -> objects.put(path, file.objects()));
        return objects;
    }

    private void scan(Set<Path> directories, List<Path> manifestFiles) {
        try {
            // Following links serves symlinked trees and Kubernetes ConfigMap mounts (whose files are links into a
            // hidden "..data" directory); hidden entries are skipped, so the mount's timestamped copies are not read
            // twice. Link cycles are reported to visitFileFailed and skipped.
            Files.walkFileTree(directory, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (!dir.equals(directory) && isHidden(dir)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            directories.add(dir);
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && !isHidden(file) && isManifest(file)) {
                                manifestFiles.add(file);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (!(e instanceof NoSuchFileException)) {
                                log.warn("Skipping {}: {}", file, e.toString());
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            log.warn("Listing {} failed: {}", directory, e.toString());
        }
    }

    /** Registers the given directories and forgets every other one. */
    private void watch(Set<Path> directories) {
        if (watchService == null) {
            return;
        }
        watchedDirectories.entrySet().removeIf(entry -> {
            if (entry.getKey().isValid() && directories.contains(entry.getValue())) {
                return false;
            }
            entry.getKey().cancel();
            return true;
        });
        Set<Path> alreadyWatched = new HashSet<>(watchedDirectories.values());
        for (Path dir : directories) {
            if (alreadyWatched.contains(dir)) {
                continue;
            }
            try {
                watchedDirectories.put(dir.register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY), dir);
            } catch (NoSuchFileException e) {
                // removed since the scan; its parent's event triggers another reload
            } catch (IOException e) {
                log.warn("Cannot watch {}: {}", dir, e.toString());
            }
        }
    }

    private void deliver(Consumer<ClusterSnapshot> listener) {
        if (closed) {
            return;
        }
        ClusterSnapshot snapshot = snapshot(++revision);
        try {
            listener.accept(snapshot);
        } catch (RuntimeException e) {
            log.error("Snapshot listener failed on revision {}", snapshot.revision(), e);
        }
        synced = true;
    }

    /** Every object in effect; when two files define the same object, the later file in path order wins. */
    private ClusterSnapshot snapshot(long revision) {
        Map<String, HasMetadata> byIdentity = new LinkedHashMap<>();
        Map<String, Path> definedIn = new HashMap<>();
        files.forEach((path, file) -> {
            for (HasMetadata object : file.objects()) {
                String identity = object.getKind() + " " + Objects.requireNonNullElse(
                        object.getMetadata().getNamespace(), "") + "/" + object.getMetadata().getName();
                Path earlier = definedIn.put(identity, path);
                if (earlier != null) {
                    log.warn("{} is defined in {} and again in {}; using the latter", identity, earlier, path);
                    byIdentity.remove(identity);
                }
                byIdentity.put(identity, object);
            }
        });
        List<Ingress> ingresses = new ArrayList<>();
        List<IngressClass> ingressClasses = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> endpointSlices = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        List<ConfigMap> configMaps = new ArrayList<>();
        for (HasMetadata object : byIdentity.values()) {
            if (object instanceof Ingress ingress) {
                ingresses.add(ingress);
            } else if (object instanceof IngressClass ingressClass) {
                ingressClasses.add(ingressClass);
            } else if (object instanceof Service service) {
                services.add(service);
            } else if (object instanceof EndpointSlice endpointSlice) {
                endpointSlices.add(endpointSlice);
            } else if (object instanceof Secret secret) {
                secrets.add(secret);
            } else if (object instanceof ConfigMap configMap) {
                configMaps.add(configMap);
            }
        }
        return new ClusterSnapshot(SnapshotDelivery.sorted(ingresses), SnapshotDelivery.sorted(ingressClasses),
                SnapshotDelivery.sorted(services), SnapshotDelivery.sorted(endpointSlices),
                SnapshotDelivery.sorted(secrets), SnapshotDelivery.sorted(configMaps), revision);
    }

    private static Path nearestExistingAncestor(Path path) {
        for (Path candidate = path.getParent(); candidate != null; candidate = candidate.getParent()) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static boolean isManifest(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    @Override
    public boolean synced() {
        return synced;
    }

    @Override
    public String description() {
        return "manifests:" + directory;
    }

    /** How many times a change in the tree has been read so far (the first read at start not counted). */
    long reads() {
        return reads.get();
    }

    /** Whether the thread that watches the tree and delivers snapshots is still running. */
    boolean watching() {
        Thread thread = worker;
        return thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = worker;
        }
        WatchService service = watchService;
        if (service != null) {
            try {
                service.close(); // wakes the worker out of take()/poll()
            } catch (IOException e) {
                log.debug("Closing the watch service failed", e);
            }
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One file's bytes and the objects in effect for it (the last good ones when the bytes don't parse). */
    private record ManifestFile(byte[] content, List<HasMetadata> objects) {
    }
}
