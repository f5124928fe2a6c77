package io.ingressgateway.support;

import io.ingressgateway.edge.GatewayEventLoops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingMethod;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Fails a test when the gateway's data plane made a blocking call (file or socket I/O, sleeping, waiting on a lock or
 * a future) on one of its event loops ({@code gateway-http-*}, {@code gateway-upstream-*}) while the test ran.
 *
 * <p>BlockHound instruments the JDK's blocking methods once per JVM (it needs
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods} on Java 13 and later, set in the pom). It normally throws in the
 * offending thread, which on an event loop is often swallowed or turned into some unrelated failure; here each call is
 * recorded with its stack instead, and checked after every test. Only the gateway's own loops count: the management
 * server, the test's API server and HTTP clients run their own (Netty and Vert.x) loops with their own rules.
 */
public final class NoBlockingOnEventLoops implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final List<Violation> VIOLATIONS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    /** A blocking call seen on a data-plane event loop. */
    public record Violation(String thread, String method, StackTraceElement[] stack) {

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(method).append(" on ").append(thread);
            for (StackTraceElement frame : stack) {
                text.append("\n\tat ").append(frame);
            }
            return text.toString();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        VIOLATIONS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Violation> seen = new ArrayList<>(VIOLATIONS);
        VIOLATIONS.clear();
        if (!seen.isEmpty()) {
            throw new AssertionError(seen.size() + " blocking call(s) on the gateway's event loops; the first:\n"
                    + seen.get(0));
        }
    }

    /** Installs BlockHound once for this JVM. */
    public static synchronized void install() {
        if (!installed) {
            BlockHound.install(new DataPlaneLoops());
            installed = true;
        }
    }

    /** What has been recorded since the last test began, which is then forgotten (for tests of this extension). */
    public static List<Violation> drain() {
        List<Violation> seen = new ArrayList<>(VIOLATIONS);
        VIOLATIONS.removeAll(seen);
        return seen;
    }

    static boolean isDataPlaneLoop(Thread thread) {
        String name = thread.getName();
        return name.startsWith(GatewayEventLoops.SERVER_PREFIX + "-")
                || name.startsWith(GatewayEventLoops.UPSTREAM_PREFIX + "-");
    }

    /**
     * Loaded after the integrations found on the class path (Reactor's, Netty's), so its callback is the one used.
     * Netty marks every Netty event-loop thread non-blocking, Vert.x's too; only ours are judged, the others proceed.
     */
    private static final class DataPlaneLoops implements BlockHoundIntegration {

        @Override
        public void applyTo(BlockHound.Builder builder) {
            builder.nonBlockingThreadPredicate(current -> current.or(NoBlockingOnEventLoops::isDataPlaneLoop));
            builder.blockingMethodCallback(DataPlaneLoops::record);
            // Netty's adaptive allocator takes a magazine's short write lock when it adds magazines under contention
            // (large uploads on both loops at once); Netty's own integration allows the pooled allocator's
            // equivalent (PoolChunk.free) but not this one. Nothing of ours waits there.
            builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                    "tryExpandMagazines");
        }

        private static void record(BlockingMethod method) {
            Thread thread = Thread.currentThread();
            if (isDataPlaneLoop(thread)) {
                VIOLATIONS.add(new Violation(thread.getName(), method.toString(), new Exception().getStackTrace()));
            }
        }

        @Override
        public int compareTo(BlockHoundIntegration other) {
            return 1; // after the others
        }
    }

}
